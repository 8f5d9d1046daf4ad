import {
  LlmBudgetExceededError,
  LlmNoLocalProviderError,
  LlmRateLimitedError,
  LlmRequestError,
  LlmStructuredOutputError,
  LlmUnavailableError,
} from './errors.js';
import type { Llm, StructuredRequest, StructuredResult } from './types.js';

/**
 * Why the offline function answered instead of the model:
 * - `offline_provider`: no model is configured (or the gateway fell over to its offline provider);
 * - `unavailable`, `rate_limited`, `budget_exceeded`, `request_failed`: the call failed (core's Llm errors);
 * - `invalid_output`: the model's JSON did not match the schema (LlmStructuredOutputError);
 * - `rejected`: the caller's `accept` check refused the model's answer.
 */
export type StructuredFallbackReason =
  | 'offline_provider'
  | 'unavailable'
  | 'rate_limited'
  | 'budget_exceeded'
  | 'request_failed'
  | 'invalid_output'
  | 'rejected';

export const STRUCTURED_FALLBACK_REASONS: readonly StructuredFallbackReason[] = [
  'offline_provider',
  'unavailable',
  'rate_limited',
  'budget_exceeded',
  'request_failed',
  'invalid_output',
  'rejected',
];

export interface StructuredFallbackOptions<T> {
  /**
   * The reasons the offline function covers (default: all). A failure whose reason is not
   * listed is thrown, for callers that answer an outage differently (say, "your message is
   * saved, a manager will answer"). `offline_provider` and `rejected` are never thrown: leave
   * them out and the model's (or the offline provider's) answer is returned as it is.
   */
  fallbackOn?: readonly StructuredFallbackReason[];
  /** A check of the model's valid answer (a required text left blank...); false: the offline answer, `rejected`. */
  accept?: (data: T) => boolean;
  /** Told about every fallback caused by a failure (the reason and the error's code; never the text). */
  logger?: { warn(details: object, message: string): void };
}

export type StructuredOutcome<T> =
  | { data: T; source: 'llm'; reason?: undefined; result: StructuredResult<T> }
  | { data: T; source: 'offline'; reason: StructuredFallbackReason; error?: unknown };

/** The fallback reason of an error from core's Llm, or undefined for anything else (a bug, the database). */
export function structuredFallbackReasonOf(error: unknown): StructuredFallbackReason | undefined {
  if (error instanceof LlmStructuredOutputError) return 'invalid_output';
  if (error instanceof LlmBudgetExceededError) return 'budget_exceeded';
  if (error instanceof LlmRateLimitedError) return 'rate_limited';
  if (error instanceof LlmUnavailableError || error instanceof LlmNoLocalProviderError) return 'unavailable';
  if (error instanceof LlmRequestError) return 'request_failed';
  return undefined;
}

/**
 * Structured LLM output with a deterministic offline answer. The model's JSON is validated by
 * `request.schema` (the gateway does it); when there is no model, the call fails with one of
 * core's Llm errors, the output does not match, or `accept` refuses it, `offline(reason)` gives
 * the answer and the outcome says why (`source: 'offline'`, `reason`). Errors that are not
 * core's Llm errors are always thrown: a fallback must not hide a bug.
 *
 * ```ts
 * const outcome = await structuredWithFallback(llm, { purpose: 'x.classify', schema, messages },
 *   () => classifyOffline(text), { fallbackOn: ['offline_provider', 'invalid_output'] });
 * store({ ...outcome.data, source: outcome.source, fallbackReason: outcome.reason ?? null });
 * ```
 */
export async function structuredWithFallback<T>(
  llm: Llm,
  request: StructuredRequest<T>,
  offline: (reason: StructuredFallbackReason) => T | Promise<T>,
  options: StructuredFallbackOptions<T> = {},
): Promise<StructuredOutcome<T>> {
  const covered = new Set(options.fallbackOn ?? STRUCTURED_FALLBACK_REASONS);
  const fallback = async (
    reason: StructuredFallbackReason,
    error?: unknown,
  ): Promise<StructuredOutcome<T>> => ({
    data: await offline(reason),
    source: 'offline',
    reason,
    ...(error === undefined ? {} : { error }),
  });
  if (llm.offline && covered.has('offline_provider')) return fallback('offline_provider');
  let result: StructuredResult<T>;
  try {
    result = await llm.structured(request);
  } catch (error) {
    const reason = structuredFallbackReasonOf(error);
    if (!reason || !covered.has(reason)) throw error;
    options.logger?.warn(
      { purpose: request.purpose, reason, code: (error as { code?: string }).code },
      'structured LLM output failed; the offline answer is used',
    );
    return fallback(reason, error);
  }
  if (result.offline && covered.has('offline_provider')) return fallback('offline_provider');
  if (options.accept && covered.has('rejected') && !options.accept(result.data)) return fallback('rejected');
  return { data: result.data, source: 'llm', result };
}
