import { HttpError, type RawApi, type Transformer } from 'grammy';
import nodeFetch from 'node-fetch';
import type { Metrics } from '../http/metrics.js';
import { currentCall, runWithCall } from './async-scope.js';

/**
 * Outgoing Bot API calls: bounded retries, flood control and metrics.
 *
 * Why not @grammyjs/auto-retry and @grammyjs/transformer-throttler: inside a conversation
 * (@grammyjs/conversations v2) every step REPLAYS the API calls of the previous steps from a
 * log that sits below all transformers a plugin can install. A transformer-level throttler
 * would queue those replayed calls (seconds of delay per step), and auto-retry would sleep
 * again on a replayed 429. So the waiting here happens only when a request really goes out:
 * the outermost transformer takes a place in the chat's FIFO queue and the client's `fetch`
 * waits for that turn and for the rate limits. Replayed calls never reach `fetch` and pass at
 * once; retries keep the place of their call, so later messages to the chat never overtake it.
 */

export interface FloodControlOptions {
  /** Requests to chats per second across all chats (Telegram: about 30). */
  globalPerSecond?: number;
  /** Minimum time between two requests to the same chat (Telegram: about 1 per second). */
  perChatIntervalMs?: number;
  /** Requests per minute to one group or channel (Telegram: 20). */
  groupPerMinute?: number;
}

export interface RetryOptions {
  /** Retries of one call after 429, 5xx or a network error (default 3). */
  maxRetryAttempts?: number;
  /** A 429 asking to wait longer than this fails the call instead of blocking its chat (default 30). */
  maxDelaySeconds?: number;
}

type ApiTransformer = Transformer<RawApi>;
type Fetch = (url: any, init?: any) => Promise<any>;

interface CallScope {
  /** Requests that reached the network in this logical call (0 while replaying). */
  fetches: number;
  chat?: { key: string; isGroup: boolean; turn: Promise<void>; granted: boolean };
}

const callScope = {
  run: <T>(scope: CallScope, fn: () => T): T => runWithCall(scope, fn),
  getStore: (): CallScope | undefined => currentCall<CallScope>(),
};

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Sliding window: at most `limit` starts per `windowMs`; `acquire` waits for room, never drops. */
class StartWindow {
  private readonly starts: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async acquire(): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.starts.length > 0 && this.starts[0]! <= now - this.windowMs) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      await sleep(this.starts[0]! + this.windowMs - now + 1);
    }
  }

  get idle(): boolean {
    return this.starts.every((start) => start <= Date.now() - this.windowMs);
  }
}

export class FloodControl {
  private readonly queueTails = new Map<string, Promise<void>>();
  private readonly nextSlotAt = new Map<string, number>();
  private readonly groupWindows = new Map<string, StartWindow>();
  private readonly global: StartWindow;
  private readonly perChatIntervalMs: number;
  private readonly groupPerMinute: number;

  constructor(options: FloodControlOptions = {}) {
    this.global = new StartWindow(options.globalPerSecond ?? 30, 1000);
    this.perChatIntervalMs = options.perChatIntervalMs ?? 1000;
    this.groupPerMinute = options.groupPerMinute ?? 20;
  }

  /** Outermost transformer: opens the call's scope and reserves its place in the chat's queue. */
  readonly transformer: ApiTransformer = async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (
      // Reads (getChat, getChatMember...) send nothing to the chat: Telegram's per-chat and
      // group limits are on what a bot sends, and pacing them made a start-up check of a
      // group (getChat, then getChatMember) wait a second.
      method.startsWith('get') ||
      chatId === undefined ||
      chatId === null ||
      (typeof chatId !== 'number' && typeof chatId !== 'string')
    ) {
      return callScope.run({ fetches: 0 }, () => prev(method, payload, signal));
    }
    const key = String(chatId);
    const previous = this.queueTails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const own = new Promise<void>((resolve) => {
      release = resolve;
    });
    const finished = Promise.all([previous, own]).then(() => undefined);
    this.queueTails.set(key, finished);
    void finished.then(() => {
      if (this.queueTails.get(key) === finished) this.queueTails.delete(key);
    });
    // Negative ids are groups and channels; @username targets are channels.
    const isGroup = typeof chatId === 'number' ? chatId < 0 : key.startsWith('@') || key.startsWith('-');
    try {
      return await callScope.run({ fetches: 0, chat: { key, isGroup, turn: previous, granted: false } }, () =>
        prev(method, payload, signal),
      );
    } finally {
      release();
    }
  };

  /** Wraps the HTTP client: a request to a chat waits for its turn and the rate limits, then goes out. */
  wrapFetch(baseFetch: Fetch): Fetch {
    return async (url, init) => {
      const scope = callScope.getStore();
      if (scope) scope.fetches += 1;
      const chat = scope?.chat;
      if (chat) {
        if (!chat.granted) {
          await chat.turn;
          chat.granted = true;
        }
        await this.waitForChatSlot(chat.key, chat.isGroup);
        await this.global.acquire();
      }
      return baseFetch(url, init);
    };
  }

  private async waitForChatSlot(key: string, isGroup: boolean): Promise<void> {
    // Requests to one chat are serialized by the queue, so this state has a single writer.
    const now = Date.now();
    const slotAt = Math.max(now, this.nextSlotAt.get(key) ?? 0);
    this.nextSlotAt.set(key, slotAt + this.perChatIntervalMs);
    await sleep(slotAt - now);
    if (isGroup) {
      let window = this.groupWindows.get(key);
      if (!window) {
        window = new StartWindow(this.groupPerMinute, 60_000);
        this.groupWindows.set(key, window);
      }
      await window.acquire();
    }
    this.forgetIdleChats();
  }

  private forgetIdleChats(): void {
    if (this.nextSlotAt.size < 10_000) return;
    const now = Date.now();
    for (const [key, at] of this.nextSlotAt)
      if (at < now && !this.queueTails.has(key)) this.nextSlotAt.delete(key);
    for (const [key, window] of this.groupWindows) if (window.idle) this.groupWindows.delete(key);
  }
}

/** The scope of the API call running in this async context (its `fetches` count requests that went out). */
export function liveCallScope(): { readonly fetches: number } | undefined {
  return callScope.getStore();
}

/** Did the last `prev` call reach the network (false: replayed inside a conversation)? */
function reachedNetwork(scope: CallScope | undefined, fetchesBefore: number): boolean {
  return scope === undefined || scope.fetches > fetchesBefore;
}

/**
 * Bounded retries: a 429 waits `retry_after` (when at most `maxDelaySeconds`), 5xx and network
 * errors back off 1s, 2s, 4s... A result replayed inside a conversation is retried at once,
 * mirroring the decision taken when it happened.
 */
export function retryTransformer(options: RetryOptions = {}): ApiTransformer {
  const maxAttempts = options.maxRetryAttempts ?? 3;
  const maxDelayMs = (options.maxDelaySeconds ?? 30) * 1000;
  return async (prev, method, payload, signal) => {
    let backoffMs = 1000;
    for (let attempt = 0; ; attempt++) {
      const scope = callScope.getStore();
      const before = scope?.fetches ?? 0;
      let waitMs: number | undefined;
      try {
        const result = await prev(method, payload, signal);
        if (result.ok) return result;
        const retryAfterMs = (result.parameters?.retry_after ?? 0) * 1000;
        if (result.error_code === 429 && retryAfterMs <= maxDelayMs) waitMs = retryAfterMs;
        else if (result.error_code >= 500) waitMs = backoffMs;
        if (waitMs === undefined || attempt >= maxAttempts || signal?.aborted) return result;
      } catch (error) {
        if (!(error instanceof HttpError) || attempt >= maxAttempts || signal?.aborted) throw error;
        waitMs = backoffMs;
      }
      if (waitMs === backoffMs) backoffMs = Math.min(backoffMs * 2, maxDelayMs);
      if (reachedNetwork(scope, before)) await sleep(waitMs, signal as AbortSignal | undefined);
    }
  };
}

/** Counts every request that reached the Bot API as `apiCalls{method,status}` (replays excluded). */
export function apiMetricsTransformer(metrics: Metrics): ApiTransformer {
  return async (prev, method, payload, signal) => {
    const scope = callScope.getStore();
    const before = scope?.fetches ?? 0;
    try {
      const result = await prev(method, payload, signal);
      if (reachedNetwork(scope, before)) {
        metrics.apiCalls.inc({ method, status: result.ok ? 'ok' : String(result.error_code) });
      }
      return result;
    } catch (error) {
      if (reachedNetwork(scope, before)) {
        metrics.apiCalls.inc({ method, status: signal?.aborted ? 'aborted' : 'network_error' });
      }
      throw error;
    }
  };
}

export interface OutgoingApi {
  /** `client.fetch` of the bot: grammY's own HTTP client behind the flood-control gate. */
  fetch: Fetch;
  /** Install with `api.config.use(...transformers)` on every Api (innermost first). */
  transformers: ApiTransformer[];
}

export function createOutgoingApi(options: {
  metrics: Metrics;
  retry?: RetryOptions;
  floodControl?: FloodControlOptions | false;
  /** Run once per logical call (outside retries), inside the call's scope. */
  perCall?: ApiTransformer[];
}): OutgoingApi {
  const transformers: ApiTransformer[] = [
    apiMetricsTransformer(options.metrics),
    retryTransformer(options.retry),
    ...(options.perCall ?? []),
  ];
  const base = nodeFetch as unknown as Fetch;
  if (options.floodControl === false) {
    // Scope only, so metrics and retries still know live calls from replayed ones.
    transformers.push((prev, method, payload, signal) =>
      callScope.run({ fetches: 0 }, () => prev(method, payload, signal)),
    );
    return {
      transformers,
      fetch: async (url, init) => {
        const scope = callScope.getStore();
        if (scope) scope.fetches += 1;
        return base(url, init);
      },
    };
  }
  const flood = new FloodControl(options.floodControl);
  transformers.push(flood.transformer);
  return { transformers, fetch: flood.wrapFetch(base) };
}
