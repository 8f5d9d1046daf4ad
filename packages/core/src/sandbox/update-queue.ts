import { randomInt } from 'node:crypto';
import type { Update } from 'grammy/types';
import { BotApiError } from './api-error.js';

/** Update types Telegram sends when allowed_updates is unset or empty. */
const OPT_IN_TYPES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

export function updateType(update: Update): string {
  return Object.keys(update).find((k) => k !== 'update_id') ?? 'unknown';
}

export interface GetUpdatesOptions {
  offset?: number;
  limit?: number;
  timeoutSeconds?: number;
  allowedUpdates?: string[];
}

/**
 * The bot's pending updates, as Telegram keeps them: numbered, confirmed by `offset`,
 * filtered by `allowed_updates`, handed out by long polling or pushed to a webhook.
 */
export class UpdateQueue {
  private pending: Update[] = [];
  private nextId = randomInt(100_000_000, 900_000_000);
  private allowed: Set<string> | undefined;
  private pollWaiters = new Set<() => void>();
  private activePoll: { reject: (e: BotApiError) => void } | undefined;
  private listeners = new Set<() => void>();
  private closed = false;

  get pendingCount(): number {
    return this.pending.length;
  }

  get allowedUpdates(): string[] | undefined {
    return this.allowed ? [...this.allowed] : undefined;
  }

  /** `[]` restores the default set, as in Telegram. */
  setAllowedUpdates(types: string[] | undefined) {
    if (types === undefined) return;
    this.allowed = types.length === 0 ? undefined : new Set(types);
  }

  isAllowed(update: Update): boolean {
    const type = updateType(update);
    return this.allowed ? this.allowed.has(type) : !OPT_IN_TYPES.has(type);
  }

  push(update: Omit<Update, 'update_id'>): Update {
    const full = { update_id: this.nextId++, ...update } as Update;
    this.pending.push(full);
    this.wake();
    return full;
  }

  /** Drops updates the bot does not want and returns what is deliverable now. */
  deliverable(limit = 100): Update[] {
    this.pending = this.pending.filter((u) => this.isAllowed(u));
    return this.pending.slice(0, limit);
  }

  confirmBelow(offset: number) {
    this.pending = this.pending.filter((u) => u.update_id >= offset);
  }

  remove(updateId: number) {
    this.pending = this.pending.filter((u) => u.update_id !== updateId);
  }

  clear() {
    this.pending = [];
  }

  /** Called when something new is queued (webhook delivery listens). */
  onPush(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * getUpdates semantics: confirm everything below `offset` (a negative offset keeps only the
   * last |offset| updates), then answer at once or wait up to `timeout` seconds. A newer
   * call terminates a waiting one with 409, like Telegram.
   */
  async getUpdates(options: GetUpdatesOptions, signal: AbortSignal): Promise<Update[]> {
    const limit = Math.min(100, Math.max(1, options.limit ?? 100));
    if (options.allowedUpdates) this.setAllowedUpdates(options.allowedUpdates);
    if (options.offset !== undefined && options.offset !== 0) {
      if (options.offset > 0) this.confirmBelow(options.offset);
      else this.pending = this.pending.slice(options.offset);
    }
    this.activePoll?.reject(
      new BotApiError(
        409,
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      ),
    );
    const timeoutMs = Math.min(Math.max(0, options.timeoutSeconds ?? 0), 50) * 1000;
    const deadline = Date.now() + timeoutMs;
    const poll = { terminated: undefined as BotApiError | undefined, wake: () => {} };
    this.activePoll = {
      reject: (e) => {
        poll.terminated = e;
        poll.wake();
      },
    };
    const mine = this.activePoll;
    try {
      for (;;) {
        if (poll.terminated) throw poll.terminated;
        const ready = this.deliverable(limit);
        const left = deadline - Date.now();
        if (ready.length > 0 || left <= 0 || signal.aborted || this.closed) return ready;
        await new Promise<void>((resolve) => {
          const finish = () => {
            clearTimeout(timer);
            this.pollWaiters.delete(finish);
            signal.removeEventListener('abort', finish);
            resolve();
          };
          poll.wake = finish;
          const timer = setTimeout(finish, left);
          this.pollWaiters.add(finish);
          signal.addEventListener('abort', finish);
        });
      }
    } finally {
      if (this.activePoll === mine) this.activePoll = undefined;
    }
  }

  /** Ends every waiting long poll with an empty answer (shutdown). */
  releasePolls() {
    this.closed = true;
    for (const wake of [...this.pollWaiters]) wake();
  }

  private wake() {
    for (const wake of [...this.pollWaiters]) wake();
    for (const listener of [...this.listeners]) listener();
  }
}
