import type { Message } from 'grammy/types';

export type SandboxEvent =
  | { seq: number; type: 'message'; chatId: number; message: Message; byBot: boolean }
  | { seq: number; type: 'edit'; chatId: number; message: Message; byBot: boolean }
  | { seq: number; type: 'delete'; chatId: number; messageId: number }
  | { seq: number; type: 'callback_answer'; chatId: number; callbackQueryId: string; answer: CallbackAnswer }
  | { seq: number; type: 'chat_action'; chatId: number; action: string; threadId?: number }
  | { seq: number; type: 'chat'; chatId: number }
  | { seq: number; type: 'user'; userId: number };

export type SandboxEventInput = SandboxEvent extends infer E
  ? E extends SandboxEvent
    ? Omit<E, 'seq'>
    : never
  : never;

export interface CallbackAnswer {
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
}

/**
 * Ordered log of everything that happens in the sandbox, with waiting: the control API's
 * long polls, `waitForBotMessage` and the playground's live view all read from it.
 */
export class ChangeFeed {
  private readonly events: SandboxEvent[] = [];
  private seq = 0;
  private waiters = new Set<() => void>();

  constructor(private readonly capacity = 5000) {}

  get lastSeq(): number {
    return this.seq;
  }

  push(event: SandboxEventInput): SandboxEvent {
    const full = { ...event, seq: ++this.seq } as SandboxEvent;
    this.events.push(full);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
    return full;
  }

  since(afterSeq: number): SandboxEvent[] {
    const first = this.events.findIndex((e) => e.seq > afterSeq);
    return first < 0 ? [] : this.events.slice(first);
  }

  /** Resolves on the next event, after `timeoutMs`, or when `signal` aborts (never rejects). */
  waitForNext(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  /** Wakes every waiter (used on shutdown so nothing keeps the process alive). */
  wakeAll() {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}
