import CircuitBreaker from 'opossum';
import { LlmError, LlmRateLimitedError, LlmRequestError, LlmUnavailableError } from './errors.js';
import { loadedOpenaiSdk } from './openai-sdk.js';

/** A FIFO counting semaphore: at most `limit` holders, the rest wait in order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter, so `active` never dips below the queue.
      if (next) next();
      else this.active -= 1;
    }
  }
}

export type FailureKind = 'rate_limit' | 'server' | 'network' | 'timeout' | 'client' | 'aborted' | 'unknown';

export interface ClassifiedFailure {
  kind: FailureKind;
  retryable: boolean;
  /** Wait demanded by the server (retry-after-ms or Retry-After), when present. */
  retryAfterMs: number | null;
  status: number | null;
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | null | undefined>;
  return record[name] ?? record[name.toLowerCase()] ?? undefined;
}

/** `retry-after-ms` (OpenAI), else `Retry-After` as seconds or an HTTP date. */
export function parseRetryAfter(headers: unknown, now = Date.now()): number | null {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = header(headers, 'retry-after');
  if (value === undefined || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export function classifyFailure(error: unknown): ClassifiedFailure {
  const sdk = loadedOpenaiSdk();
  if (sdk) {
    const failure = classifySdkFailure(sdk, error);
    if (failure) return failure;
  }
  if ((error as { name?: string })?.name === 'AbortError') {
    return { kind: 'aborted', retryable: false, retryAfterMs: null, status: null };
  }
  return { kind: 'unknown', retryable: false, retryAfterMs: null, status: null };
}

function classifySdkFailure(
  { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError }: typeof import('openai'),
  error: unknown,
): ClassifiedFailure | undefined {
  if (error instanceof APIUserAbortError)
    return { kind: 'aborted', retryable: false, retryAfterMs: null, status: null };
  if (error instanceof APIConnectionTimeoutError) {
    return { kind: 'timeout', retryable: true, retryAfterMs: null, status: null };
  }
  if (error instanceof APIConnectionError)
    return { kind: 'network', retryable: true, retryAfterMs: null, status: null };
  if (error instanceof APIError) {
    const status = typeof error.status === 'number' ? error.status : null;
    if (status === 429) {
      return { kind: 'rate_limit', retryable: true, retryAfterMs: parseRetryAfter(error.headers), status };
    }
    if (status !== null && status >= 500) {
      return { kind: 'server', retryable: true, retryAfterMs: parseRetryAfter(error.headers), status };
    }
    if (status === 408 || status === 409)
      return { kind: 'server', retryable: true, retryAfterMs: null, status };
    if (status === null) return { kind: 'network', retryable: true, retryAfterMs: null, status };
    return { kind: 'client', retryable: false, retryAfterMs: null, status };
  }
  return undefined;
}

/** Failures that say nothing about the endpoint's health do not count towards opening the circuit. */
export function countsAsOutage(error: unknown): boolean {
  const { kind } = classifyFailure(error);
  return kind === 'server' || kind === 'network' || kind === 'timeout';
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails with LLM_RATE_LIMITED. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
};

/** Exponential backoff with "equal jitter": half fixed, half random, so clients spread out. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('Aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('Aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface CircuitOptions {
  /** Failure percentage within the rolling window that opens the circuit (default 50). */
  errorThresholdPercentage: number;
  /** Minimum calls in the window before the circuit may open (default 5). */
  volumeThreshold: number;
  /** How long the circuit stays open before one trial call is let through (default 30 s). */
  resetTimeoutMs: number;
  /** Rolling statistics window (default 60 s). */
  rollingWindowMs: number;
}

export const DEFAULT_CIRCUIT_OPTIONS: CircuitOptions = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 30_000,
  rollingWindowMs: 60_000,
};

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface ResilienceEvents {
  onRetry?(info: { attempt: number; delayMs: number; failure: ClassifiedFailure; error: unknown }): void;
  onCircuit?(state: CircuitState): void;
}

/**
 * Retries, circuit breaker and concurrency cap around calls to one endpoint. The openai
 * client's own retries are disabled, so these are the only ones.
 */
export class ResilientExecutor {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly semaphore: Semaphore;

  constructor(
    private readonly policy: RetryPolicy,
    circuit: CircuitOptions,
    maxConcurrency: number,
    private readonly events: ResilienceEvents = {},
  ) {
    this.semaphore = new Semaphore(maxConcurrency);
    this.breaker = new CircuitBreaker((operation: () => Promise<unknown>) => operation(), {
      timeout: false, // timeouts are the openai client's job (LLM_TIMEOUT_MS)
      errorThresholdPercentage: circuit.errorThresholdPercentage,
      volumeThreshold: circuit.volumeThreshold,
      resetTimeout: circuit.resetTimeoutMs,
      rollingCountTimeout: circuit.rollingWindowMs,
      rollingCountBuckets: 10,
      // true = "not a failure of the endpoint": 4xx, 429 and aborts leave the circuit alone.
      errorFilter: (error: unknown) => !countsAsOutage(error),
    });
    this.breaker.on('open', () => events.onCircuit?.('open'));
    this.breaker.on('halfOpen', () => events.onCircuit?.('half-open'));
    this.breaker.on('close', () => events.onCircuit?.('closed'));
  }

  get circuitState(): CircuitState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  get concurrency(): { active: number; queued: number; limit: number } {
    return { active: this.semaphore.inUse, queued: this.semaphore.queued, limit: this.semaphore.limit };
  }

  /** Runs `attempt` until it succeeds, a non-retryable error occurs, or retries run out. */
  async execute<T>(attempt: (attemptNumber: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let lastError: unknown;
    for (let n = 0; n <= this.policy.maxRetries; n += 1) {
      try {
        return (await this.semaphore.run(() => this.breaker.fire(() => attempt(n + 1)))) as T;
      } catch (error) {
        if ((error as { code?: string })?.code === 'EOPENBREAKER') {
          throw new LlmUnavailableError('The LLM endpoint is failing; the circuit is open, try again later', {
            cause: lastError ?? error,
          });
        }
        if (error instanceof LlmError) throw error;
        lastError = error;
        const failure = classifyFailure(error);
        if (!failure.retryable || signal?.aborted) throw toLlmError(error, failure);
        if (failure.retryAfterMs !== null && failure.retryAfterMs > this.policy.maxRetryAfterMs) {
          throw new LlmRateLimitedError(
            `The LLM endpoint asked to wait ${failure.retryAfterMs} ms, longer than ${this.policy.maxRetryAfterMs} ms`,
            failure.retryAfterMs,
            { cause: error },
          );
        }
        if (n === this.policy.maxRetries) throw toLlmError(error, failure);
        const delayMs =
          failure.retryAfterMs !== null
            ? Math.ceil(failure.retryAfterMs + Math.random() * Math.min(250, failure.retryAfterMs * 0.1))
            : backoffDelay(n, this.policy);
        this.events.onRetry?.({ attempt: n + 1, delayMs, failure, error });
        await sleep(delayMs, signal);
      }
    }
    throw toLlmError(lastError, classifyFailure(lastError));
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function toLlmError(error: unknown, failure: ClassifiedFailure): Error {
  if (error instanceof LlmError) return error;
  switch (failure.kind) {
    case 'rate_limit':
      return new LlmRateLimitedError(
        `The LLM endpoint kept rate limiting: ${describe(error)}`,
        failure.retryAfterMs,
        {
          cause: error,
        },
      );
    case 'server':
    case 'network':
    case 'timeout':
      return new LlmUnavailableError(`The LLM endpoint failed (${failure.kind}): ${describe(error)}`, {
        cause: error,
      });
    case 'client':
      return new LlmRequestError(`The LLM endpoint refused the request: ${describe(error)}`, failure.status, {
        cause: error,
      });
    default:
      return error instanceof Error ? error : new Error(describe(error));
  }
}
