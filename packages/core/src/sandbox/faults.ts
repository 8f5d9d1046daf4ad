import { BotApiError, tooManyRequests } from './api-error.js';

export interface FaultRule {
  /** Bot API methods it applies to (case-insensitive); all methods when omitted. */
  methods?: string[];
  /** `rate_limit`: 429 with retry_after; `server_error`: 5xx; `slow`: answer after `delayMs`. */
  kind: 'rate_limit' | 'server_error' | 'slow';
  /** Chance per matching call, 0..1 (default 1). */
  probability?: number;
  /** Only every n-th matching call (1 = every call). */
  every?: number;
  /** Stop after this many injected faults. */
  times?: number;
  /** Seconds in `parameters.retry_after` (rate_limit, default 1). */
  retryAfter?: number;
  /** HTTP status for server_error (default 500). */
  status?: number;
  /** Delay for slow answers (default 1000 ms). */
  delayMs?: number;
}

/** Telegram's flood limits, emulated: over the limit, sends fail with 429 and retry_after. */
export interface FloodLimits {
  /** Messages per second across all chats (Telegram: about 30). */
  perSecond?: number;
  /** Messages per second in one chat (Telegram: about 1). */
  perChatPerSecond?: number;
  /** Messages per minute in one group (Telegram: 20). */
  perGroupPerMinute?: number;
}

export interface FaultDecision {
  delayMs: number;
  error?: BotApiError;
}

interface ActiveRule extends FaultRule {
  id: number;
  seen: number;
  injected: number;
}

const SENDING_METHODS = new Set([
  'sendmessage',
  'sendphoto',
  'senddocument',
  'forwardmessage',
  'copymessage',
  'sendmediagroup',
  'sendanimation',
  'sendaudio',
  'sendvideo',
  'sendvoice',
  'sendsticker',
  'sendlocation',
  'sendcontact',
  'sendpoll',
  'senddice',
]);

const SERVER_ERROR_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * Failures on request: scripted faults per method (rate limits, 5xx, slow answers) and an
 * optional emulation of Telegram's flood control. Faults are decided before the method
 * runs, so a failed call never changes state: retrying it cannot duplicate a message.
 */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;
  private flood: FloodLimits | undefined;
  private sends: Array<{ at: number; chatId: string; isGroup: boolean }> = [];
  /** Injected faults, for assertions: method and kind. */
  readonly log: Array<{ method: string; kind: string; at: number }> = [];

  constructor(rules: FaultRule[] = [], flood?: FloodLimits) {
    for (const rule of rules) this.add(rule);
    this.flood = flood;
  }

  add(rule: FaultRule): number {
    const id = this.nextId++;
    this.rules.push({ ...rule, id, seen: 0, injected: 0 });
    return id;
  }

  remove(id: number) {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  clear() {
    this.rules = [];
    this.flood = undefined;
    this.sends = [];
  }

  setFloodLimits(limits: FloodLimits | undefined) {
    this.flood = limits;
    this.sends = [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ id: _id, seen: _seen, injected: _injected, ...rule }) => rule);
  }

  decide(method: string, chatId: unknown): FaultDecision {
    const name = method.toLowerCase();
    let delayMs = 0;
    for (const rule of this.rules) {
      if (rule.methods && !rule.methods.some((m) => m.toLowerCase() === name)) continue;
      if (rule.times !== undefined && rule.injected >= rule.times) continue;
      rule.seen++;
      if (rule.every && rule.seen % rule.every !== 0) continue;
      if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
      rule.injected++;
      this.log.push({ method, kind: rule.kind, at: Date.now() });
      if (rule.kind === 'slow') {
        delayMs += rule.delayMs ?? 1000;
        continue;
      }
      if (rule.kind === 'rate_limit') return { delayMs, error: tooManyRequests(rule.retryAfter ?? 1) };
      const status = rule.status ?? 500;
      return {
        delayMs,
        error: new BotApiError(status, SERVER_ERROR_TEXT[status] ?? 'Internal Server Error'),
      };
    }
    if (this.flood && SENDING_METHODS.has(name)) {
      const error = this.checkFlood(String(chatId ?? ''));
      if (error) {
        this.log.push({ method, kind: 'flood', at: Date.now() });
        return { delayMs, error };
      }
    }
    return { delayMs };
  }

  private checkFlood(chatId: string): BotApiError | undefined {
    const limits = this.flood!;
    const now = Date.now();
    this.sends = this.sends.filter((s) => now - s.at < 60_000);
    const isGroup = chatId.startsWith('-') || chatId.startsWith('@');
    const lastSecond = this.sends.filter((s) => now - s.at < 1000);
    const retry = (windowStart: number, windowMs: number) =>
      tooManyRequests(Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)));
    if (limits.perSecond && lastSecond.length >= limits.perSecond) return retry(lastSecond[0].at, 1000);
    const chatSecond = lastSecond.filter((s) => s.chatId === chatId);
    if (limits.perChatPerSecond && chatSecond.length >= limits.perChatPerSecond) {
      return retry(chatSecond[0].at, 1000);
    }
    if (isGroup && limits.perGroupPerMinute) {
      const chatMinute = this.sends.filter((s) => s.chatId === chatId);
      if (chatMinute.length >= limits.perGroupPerMinute) return retry(chatMinute[0].at, 60_000);
    }
    this.sends.push({ at: now, chatId, isGroup });
    return undefined;
  }
}
