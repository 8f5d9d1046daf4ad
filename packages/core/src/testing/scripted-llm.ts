import {
  LlmBudgetExceededError,
  LlmRateLimitedError,
  LlmRequestError,
  LlmStructuredOutputError,
  LlmUnavailableError,
} from '../llm/errors.js';
import type {
  BudgetStatus,
  ChatRequest,
  ChatResult,
  Llm,
  StructuredRequest,
  StructuredResult,
  TokenUsage,
} from '../llm/types.js';

/** A string matches case-insensitively as a substring; a RegExp is tested. */
export type ScriptedTextMatcher = string | RegExp;

export type ScriptedLlmCallKind = 'chat' | 'structured' | 'stream';

/** What a rule is tried against: the request, plus its kind and its last user message. */
export interface ScriptedLlmRequest extends ChatRequest {
  kind: ScriptedLlmCallKind;
  /** Text of the last `user` message ('' when none). */
  lastUser: string;
}

/**
 * Conditions of a rule; all given ones must hold. `user` is the end-user id of the request
 * (`ChatRequest.user`), `lastUser` the text of its last user message.
 */
export interface ScriptedLlmMatch {
  purpose?: ScriptedTextMatcher;
  lastUser?: ScriptedTextMatcher;
  system?: ScriptedTextMatcher;
  user?: ScriptedTextMatcher;
  model?: ScriptedTextMatcher;
  kind?: ScriptedLlmCallKind;
}

/** Core's Llm errors by a short name; `ScriptedLlm` builds the matching error class. */
export type ScriptedLlmFailure = 'unavailable' | 'rate_limited' | 'request_failed' | 'budget_exceeded';

export type ScriptedReply = string | ((request: ChatRequest) => string);
/** Structured output (JSON-like), or a function of the request that returns it. */
export type ScriptedData =
  | ((request: StructuredRequest<unknown>) => unknown)
  | Record<string, unknown>
  | unknown[]
  | string
  | number
  | boolean
  | null;

export interface ScriptedLlmRule {
  /** Conditions, or a predicate; no `match` matches every call. */
  match?: ScriptedLlmMatch | ((request: ScriptedLlmRequest) => boolean);
  /** Text for `chat` and `stream`; for `structured` (when `data` is absent) it is parsed as JSON. */
  reply?: ScriptedReply;
  /** The output of `structured`, validated by the request's schema like the real gateway does. */
  data?: ScriptedData;
  /** Throw this instead of answering: an error, or one of core's Llm errors by name. */
  error?: Error | ScriptedLlmFailure;
  /** Use the rule this many times, then drop it (default: forever). */
  times?: number;
}

export interface ScriptedLlmOptions {
  /** Answer of `chat`/`stream` when no rule matches (default: `scripted reply to: <last user message>`). */
  reply?: ScriptedReply;
  /** Output of `structured` when no rule matches (default: the reply parsed as JSON). */
  data?: ScriptedData;
  /** What `offline` reports (and every result carries). Default false. */
  offline?: boolean;
  /** What `budget(user)` reports (default: no limit, resets at the next UTC midnight). */
  budget?: BudgetStatus | ((user: string) => BudgetStatus);
}

/** One call the fake received, with what it answered or threw. */
export interface ScriptedLlmCall {
  kind: ScriptedLlmCallKind;
  request: ChatRequest;
  /** The text answered (`chat`, `stream`) or the structured data (`structured`). */
  output?: unknown;
  error?: unknown;
}

interface ActiveRule extends ScriptedLlmRule {
  remaining: number;
}

function textMatches(matcher: ScriptedTextMatcher | undefined, value: string | undefined): boolean {
  if (matcher === undefined) return true;
  if (value === undefined) return false;
  if (typeof matcher === 'string') return value.toLowerCase().includes(matcher.toLowerCase());
  matcher.lastIndex = 0;
  return matcher.test(value);
}

function ruleMatches(rule: ScriptedLlmRule, request: ScriptedLlmRequest): boolean {
  const match = rule.match;
  if (match === undefined) return true;
  if (typeof match === 'function') return match(request);
  if (match.kind !== undefined && match.kind !== request.kind) return false;
  const system = request.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n');
  return (
    textMatches(match.purpose, request.purpose) &&
    textMatches(match.lastUser, request.lastUser) &&
    textMatches(match.system, system) &&
    textMatches(match.user, request.user) &&
    textMatches(match.model, request.model)
  );
}

function lastUserText(request: ChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i -= 1) {
    if (request.messages[i]!.role === 'user') return request.messages[i]!.content;
  }
  return '';
}

function nextUtcMidnight(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** ~4 characters per token, like the fake OpenAI server: deterministic and roughly realistic. */
function estimateUsage(request: ChatRequest, output: string): TokenUsage {
  const promptChars = request.messages.reduce((sum, m) => sum + m.content.length, 0);
  const promptTokens = Math.max(1, Math.ceil(promptChars / 4));
  const completionTokens = Math.max(1, Math.ceil(output.length / 4));
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

/** Builds one of core's Llm errors by name, as the real gateway would raise it. */
export function scriptedLlmError(failure: ScriptedLlmFailure, request?: ChatRequest): Error {
  switch (failure) {
    case 'unavailable':
      return new LlmUnavailableError('LLM endpoint unavailable (scripted)');
    case 'rate_limited':
      return new LlmRateLimitedError('LLM endpoint rate-limited (scripted)', 1000);
    case 'request_failed':
      return new LlmRequestError('LLM endpoint refused the request (scripted)', 400);
    case 'budget_exceeded':
      return new LlmBudgetExceededError({
        used: 1000,
        limit: 1000,
        resetsAt: nextUtcMidnight(),
        scope: 'global',
        user: request?.user ?? '',
      });
  }
}

/**
 * A scripted `Llm` for unit tests of services that take core's `Llm` port: answers come from
 * rules (first matching rule wins, in the order added) or the defaults, every call is recorded,
 * and failures are core's own Llm errors. For end-to-end tests through the real gateway use
 * `startTestApp({ openai: true })` (the fake OpenAI server) instead; to put this fake into a
 * whole test app, pass it as `startTestApp({ services: { llm } })`.
 */
export class ScriptedLlm implements Llm {
  offline: boolean;
  /** While set, every call throws it (an error, or one of core's Llm errors by name). */
  fail: Error | ScriptedLlmFailure | null = null;
  /** Every call, in order. */
  readonly calls: ScriptedLlmCall[] = [];
  /** Every request, in order (`calls[i].request`). */
  readonly requests: ChatRequest[] = [];
  private rules: ActiveRule[] = [];
  private reply: ScriptedReply;
  private data: ScriptedData | undefined;
  private readonly budgetStatus: ScriptedLlmOptions['budget'];

  constructor(options: ScriptedLlmOptions = {}) {
    this.offline = options.offline ?? false;
    this.reply = options.reply ?? ((request) => `scripted reply to: ${lastUserText(request)}`);
    this.data = options.data;
    this.budgetStatus = options.budget;
  }

  /** Adds a rule; rules are tried in the order they were added, before the defaults. */
  script(rule: ScriptedLlmRule): this {
    this.rules.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    return this;
  }

  /**
   * Answers in order: the next calls get these steps one by one. A string is a reply (parsed
   * as JSON by `structured`), `{ data }` a structured output, an Error or `{ error }` a failure.
   */
  queue(
    ...steps: Array<string | Error | { data: ScriptedData } | { error: Error | ScriptedLlmFailure }>
  ): this {
    for (const step of steps) {
      if (typeof step === 'string') this.script({ reply: step, times: 1 });
      else if (step instanceof Error) this.script({ error: step, times: 1 });
      else if ('error' in step) this.script({ error: step.error, times: 1 });
      else this.script({ data: step.data, times: 1 });
    }
    return this;
  }

  /** The next `times` calls (matching `match`, when given) throw `error`. */
  failNext(error: Error | ScriptedLlmFailure, times = 1, match?: ScriptedLlmRule['match']): this {
    // Failures go first, so a scripted fault wins over earlier answer rules.
    this.rules.unshift({ error, times, match, remaining: times });
    return this;
  }

  /** Replaces the default answer of `chat`/`stream`. */
  setReply(reply: ScriptedReply): this {
    this.reply = reply;
    return this;
  }

  /** Replaces the default output of `structured`. */
  setData(data: ScriptedData): this {
    this.data = data;
    return this;
  }

  /** The requests of one purpose (exact match), in order. */
  requestsFor(purpose: string): ChatRequest[] {
    return this.requests.filter((r) => r.purpose === purpose);
  }

  /** Forgets rules, the call log and `fail` (the defaults stay). */
  reset(): void {
    this.rules = [];
    this.calls.length = 0;
    this.requests.length = 0;
    this.fail = null;
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const call = this.record('chat', request);
    const content = this.answerText(call);
    return this.result(request, content);
  }

  async structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const call = this.record('structured', request);
    const rule = this.take(call);
    // A rule's own answer first, then the default data, then the default reply as JSON.
    const source: { data: ScriptedData } | { reply: ScriptedReply } =
      rule?.data !== undefined
        ? { data: rule.data }
        : rule?.reply !== undefined
          ? { reply: rule.reply }
          : this.data !== undefined
            ? { data: this.data }
            : { reply: this.reply };
    let raw: unknown;
    let text: string;
    if ('data' in source) {
      raw = typeof source.data === 'function' ? source.data(request) : source.data;
      text = JSON.stringify(raw) ?? '';
    } else {
      text = typeof source.reply === 'function' ? source.reply(request) : source.reply;
      try {
        raw = JSON.parse(text);
      } catch {
        return this.reject(
          call,
          new LlmStructuredOutputError('Scripted reply is not JSON', ['not JSON'], text),
        );
      }
    }
    const parsed = request.schema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      return this.reject(
        call,
        new LlmStructuredOutputError(
          `Scripted output does not match ${request.schemaName ?? 'the schema'}`,
          issues,
          text,
        ),
      );
    }
    call.output = parsed.data;
    const { content: _content, ...rest } = this.result(request, text);
    return { ...rest, data: parsed.data };
  }

  stream(request: ChatRequest): { chunks: AsyncIterable<string>; result: Promise<ChatResult> } {
    const call = this.record('stream', request);
    let content: string | undefined;
    let failure: unknown;
    try {
      content = this.answerText(call);
    } catch (error) {
      failure = error;
    }
    const result =
      failure === undefined ? Promise.resolve(this.result(request, content!)) : Promise.reject(failure);
    // The caller may only read the chunks; a failed stream must not become an unhandled rejection.
    result.catch(() => undefined);
    const pieces = content?.match(/\S+\s*|\s+/g) ?? [];
    return {
      chunks: (async function* () {
        if (failure !== undefined) throw failure;
        yield* pieces;
      })(),
      result,
    };
  }

  async budget(user: string): Promise<BudgetStatus> {
    const status = this.budgetStatus;
    if (typeof status === 'function') return status(user);
    return status ?? { used: 0, limit: null, remaining: null, resetsAt: nextUtcMidnight() };
  }

  private record(kind: ScriptedLlmCallKind, request: ChatRequest): ScriptedLlmCall {
    const call: ScriptedLlmCall = { kind, request };
    this.calls.push(call);
    this.requests.push(request);
    return call;
  }

  /** The rule that answers this call (consuming one use), or undefined for the defaults; throws scripted failures. */
  private take(call: ScriptedLlmCall): ScriptedLlmRule | undefined {
    if (this.fail) this.reject(call, this.errorOf(this.fail, call.request));
    const request: ScriptedLlmRequest = {
      ...call.request,
      kind: call.kind,
      lastUser: lastUserText(call.request),
    };
    const index = this.rules.findIndex((r) => r.remaining > 0 && ruleMatches(r, request));
    if (index < 0) return undefined;
    const rule = this.rules[index]!;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(index, 1);
    if (rule.error !== undefined) this.reject(call, this.errorOf(rule.error, call.request));
    return rule;
  }

  private answerText(call: ScriptedLlmCall): string {
    const text = this.textOf(this.take(call), call.request);
    call.output = text;
    return text;
  }

  private textOf(rule: ScriptedLlmRule | undefined, request: ChatRequest): string {
    if (rule?.reply === undefined && rule?.data !== undefined) {
      // A data rule that answers `chat` gives its data as JSON text.
      const data =
        typeof rule.data === 'function' ? rule.data(request as StructuredRequest<unknown>) : rule.data;
      return JSON.stringify(data) ?? '';
    }
    const reply = rule?.reply ?? this.reply;
    return typeof reply === 'function' ? reply(request) : reply;
  }

  private errorOf(error: Error | ScriptedLlmFailure, request: ChatRequest): Error {
    return typeof error === 'string' ? scriptedLlmError(error, request) : error;
  }

  private reject(call: ScriptedLlmCall, error: Error): never {
    call.error = error;
    throw error;
  }

  private result(request: ChatRequest, content: string): ChatResult {
    return {
      content,
      model: request.model ?? (request.fast ? 'scripted-fast' : 'scripted'),
      usage: estimateUsage(request, content),
      latencyMs: 0,
      offline: this.offline,
    };
  }
}
