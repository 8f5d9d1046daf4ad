import { BotloomError } from '../errors/botloom-error.js';

/** Base of the errors the Llm service raises. */
export class LlmError extends BotloomError {}

/**
 * The endpoint cannot be used right now: the circuit is open after repeated failures, or
 * retries were exhausted on 5xx / network errors / timeouts. Callers should fall back
 * (a short apology to the user) rather than retry at once.
 */
export class LlmUnavailableError extends LlmError {
  constructor(
    message: string,
    options: { cause?: unknown; details?: unknown } = {},
    code: 'LLM_UNAVAILABLE' | 'LLM_NO_LOCAL_PROVIDER' = 'LLM_UNAVAILABLE',
  ) {
    super(code, message, options);
  }
}

/**
 * A private call (its plugin or purpose is marked private in LLM_ROUTES, or the request says
 * `private: true`) found no local provider able to answer: none is configured, or every local
 * one is down. Nothing was sent to a cloud provider. A kind of LlmUnavailableError, so the
 * callers' outage handling (a short apology) applies.
 */
export class LlmNoLocalProviderError extends LlmUnavailableError {
  constructor(message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options, 'LLM_NO_LOCAL_PROVIDER');
  }
}

/** The endpoint kept answering 429, or asked to wait longer than we are willing to. */
export class LlmRateLimitedError extends LlmError {
  readonly retryAfterMs: number | null;

  constructor(message: string, retryAfterMs: number | null, options: { cause?: unknown } = {}) {
    super('LLM_RATE_LIMITED', message, { ...options, details: { retryAfterMs } });
    this.retryAfterMs = retryAfterMs;
  }
}

/** The endpoint refused the request itself (4xx other than 429: bad model, bad key, too long). */
export class LlmRequestError extends LlmError {
  readonly status: number | null;

  constructor(message: string, status: number | null, options: { cause?: unknown } = {}) {
    super('LLM_REQUEST_FAILED', message, { ...options, details: { status } });
    this.status = status;
  }
}

/** The user's daily token budget is spent; nothing was sent to the endpoint. */
export class LlmBudgetExceededError extends LlmError {
  readonly used: number;
  readonly limit: number;
  /** Next UTC midnight, when the daily budget starts over. */
  readonly resetsAt: Date;
  /** `global` (LLM_DAILY_TOKEN_BUDGET or a global override) or the plugin id whose budget is spent. */
  readonly scope: string;

  constructor(args: { used: number; limit: number; resetsAt: Date; scope: string; user: string }) {
    super(
      'LLM_BUDGET_EXCEEDED',
      `Daily token budget (${args.scope}) of user ${args.user} is spent: ${args.used}/${args.limit}, resets at ${args.resetsAt.toISOString()}`,
      {
        details: {
          used: args.used,
          limit: args.limit,
          resetsAt: args.resetsAt.toISOString(),
          scope: args.scope,
        },
      },
    );
    this.used = args.used;
    this.limit = args.limit;
    this.resetsAt = args.resetsAt;
    this.scope = args.scope;
  }
}

/** The model's answer did not match the schema, even after one repair attempt. */
export class LlmStructuredOutputError extends LlmError {
  readonly issues: string[];
  readonly lastOutput: string;

  constructor(message: string, issues: string[], lastOutput: string) {
    super('LLM_INVALID_OUTPUT', message, { details: { issues } });
    this.issues = issues;
    this.lastOutput = lastOutput;
  }
}
