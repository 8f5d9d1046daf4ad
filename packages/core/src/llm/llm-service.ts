import type OpenAI from 'openai';

import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import { BotloomError } from '../errors/botloom-error.js';
import type { Metrics } from '../http/metrics.js';
import { estimateTokens } from '../vector/text-features.js';
import {
  LlmBudgetExceededError,
  LlmError,
  LlmNoLocalProviderError,
  LlmRateLimitedError,
  LlmRequestError,
  LlmStructuredOutputError,
  LlmUnavailableError,
} from './errors.js';
import type { LlmProvider, LlmRouter, RoutePlan } from './llm-router.js';
import { analyze, fillSchema, OFFLINE_MODEL, offlineChatAnswer } from './offline/offline-provider.js';
import { zodResponseFormat } from './openai-sdk.js';
import type {
  BudgetHold,
  BudgetStatus,
  ChatMessage,
  ChatRequest,
  ChatResult,
  Llm,
  LlmUsageService,
  PluginLlmOptions,
  StructuredRequest,
  StructuredResult,
  TokenUsage,
} from './types.js';

/** Shared by every plugin's Llm: the providers (each with its circuit and cap) and the ledger. */
export interface LlmBackend {
  /** null = no provider configured: the offline provider answers. */
  router: LlmRouter | null;
  usage: LlmUsageService;
  logger: Logger;
  metrics?: Metrics;
  /**
   * What OpenAI's `user` field (abuse monitoring) gets instead of the raw id: stable per user, and
   * keyed, since an unkeyed hash of a Telegram id is reversed by hashing every possible id.
   */
  pseudonym(user: string): string;
}

interface RawCompletion {
  content: string;
  model: string;
  provider: string;
  usage: TokenUsage;
  refusal: string | null;
}

type ResponseFormat = ReturnType<typeof zodResponseFormat>;

const OFFLINE_PROVIDER = 'offline';

/** Outages move a call on to the next provider of its route; refusals and aborts do not. */
function movesOn(error: unknown): boolean {
  return error instanceof LlmUnavailableError || error instanceof LlmRateLimitedError;
}

const PURPOSE_HEADER = 'X-Botloom-Purpose';
const MAX_MESSAGES = 500;

/** Completion tokens held on a budget for a call that does not set `maxTokens`. */
export const DEFAULT_COMPLETION_RESERVE = 1024;

interface OpenBudget {
  holds: BudgetHold[];
  /** Tokens the call's attempts used so far. */
  used: number;
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

function estimateUsage(messages: ChatMessage[], completion: string): TokenUsage {
  const promptTokens = messages.reduce((sum, m) => sum + estimateTokens(m.content) + 3, 0);
  const completionTokens = estimateTokens(completion);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

function schemaName(request: StructuredRequest<unknown>): string {
  const name = (request.schemaName ?? request.purpose).replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return name || 'result';
}

/** Parses a model's JSON answer, tolerating a ```json fence around it. */
export function parseJsonAnswer(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch (error) {
    return { ok: false, error: `not valid JSON (${(error as Error).message})` };
  }
}

function validate<T>(
  schema: ZodType<T>,
  text: string,
): { ok: true; data: T } | { ok: false; issues: string[] } {
  const parsed = parseJsonAnswer(text);
  if (!parsed.ok) return { ok: false, issues: [parsed.error] };
  const result = schema.safeParse(parsed.value);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  };
}

/** The Llm a plugin resolves: budgets, usage and metrics are accounted to `pluginId`. */
export class GatewayLlm implements Llm {
  private readonly logger: Logger;
  /** Budget holds of the calls in flight, by request; `record` adds what each attempt used. */
  private readonly openBudgets = new WeakMap<ChatRequest, OpenBudget>();

  constructor(
    private readonly pluginId: string,
    private readonly backend: LlmBackend,
    private readonly options: PluginLlmOptions = {},
  ) {
    this.logger = backend.logger.child({ plugin: pluginId, component: 'llm' });
  }

  get offline(): boolean {
    return this.backend.router === null;
  }

  budget(user: string): Promise<BudgetStatus> {
    return this.backend.usage.budget(user, this.pluginId, this.options.dailyTokenBudget);
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    this.validateRequest(request);
    return this.withinBudget(request, async () => {
      const started = Date.now();
      if (this.offline) {
        const content = offlineChatAnswer(request.messages, request.purpose, request.offlineNoMatch);
        return this.finishOffline(request, content, started);
      }
      const raw = await this.complete(request, request.messages);
      return {
        content: raw.content,
        model: raw.model,
        usage: raw.usage,
        latencyMs: Date.now() - started,
        offline: false,
        provider: raw.provider,
      };
    });
  }

  async structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
    this.validateRequest(request);
    return this.withinBudget(request, () => this.structuredWithinBudget(request));
  }

  private async structuredWithinBudget<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const started = Date.now();
    if (this.offline) {
      const value = fillSchema(request.schema as any, analyze(request.messages, request.purpose));
      const result = request.schema.safeParse(value);
      const json = JSON.stringify(value) ?? '';
      const chat = await this.finishOffline(request, json, started, !result.success);
      if (!result.success) {
        this.count(request.purpose, 'invalid_output');
        throw new LlmStructuredOutputError(
          `The offline provider cannot fill schema "${schemaName(request)}" honestly (it has constraints only a model could meet)`,
          result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
          json,
        );
      }
      const { content: _content, ...rest } = chat;
      return { ...rest, data: result.data };
    }

    const responseFormat = zodResponseFormat(request.schema as any, schemaName(request));
    const first = await this.complete(request, request.messages, responseFormat);
    const firstCheck = first.refusal
      ? { ok: false as const, issues: [`the model refused: ${first.refusal}`] }
      : validate(request.schema, first.content);
    if (firstCheck.ok) {
      return {
        data: firstCheck.data,
        model: first.model,
        usage: first.usage,
        latencyMs: Date.now() - started,
        offline: false,
        provider: first.provider,
      };
    }
    this.logger.warn(
      { purpose: request.purpose, issues: firstCheck.issues.slice(0, 5) },
      'structured output did not match the schema; asking the model to repair it once',
    );
    const repairMessages: ChatMessage[] = [
      ...request.messages,
      { role: 'assistant', content: first.content },
      {
        role: 'user',
        content: `Your previous reply does not match the required JSON schema: ${firstCheck.issues.join('; ')}. Reply again with only the corrected JSON object, nothing else.`,
      },
    ];
    // The repair is a second call: it holds its own share of the budget first.
    await this.holdBudget(request, repairMessages);
    const second = await this.complete(request, repairMessages, responseFormat);
    const usage = addUsage(first.usage, second.usage);
    const secondCheck = second.refusal
      ? { ok: false as const, issues: [`the model refused: ${second.refusal}`] }
      : validate(request.schema, second.content);
    if (secondCheck.ok) {
      return {
        data: secondCheck.data,
        model: second.model,
        usage,
        latencyMs: Date.now() - started,
        offline: false,
        provider: second.provider,
      };
    }
    this.count(request.purpose, 'invalid_output');
    throw new LlmStructuredOutputError(
      `The model's answer for "${request.purpose}" did not match the schema after one repair attempt: ${secondCheck.issues.slice(0, 5).join('; ')}`,
      secondCheck.issues,
      second.content,
    );
  }

  stream(request: ChatRequest): { chunks: AsyncIterable<string>; result: Promise<ChatResult> } {
    const queue: string[] = [];
    let done = false;
    let failure: unknown;
    let wake: (() => void) | null = null;
    const notify = () => {
      wake?.();
      wake = null;
    };
    const push = (delta: string) => {
      if (delta) queue.push(delta);
      notify();
    };

    const result = (async (): Promise<ChatResult> => {
      try {
        this.validateRequest(request);
        return await this.withinBudget(request, async () => {
          const started = Date.now();
          if (this.offline) {
            const content = offlineChatAnswer(request.messages, request.purpose, request.offlineNoMatch);
            for (const piece of content.match(/\S+\s*/g) ?? [content]) push(piece);
            return await this.finishOffline(request, content, started);
          }
          return await this.streamOnline(request, push, started);
        });
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        done = true;
        notify();
      }
    })();
    // Callers that only iterate `chunks` get the error there; do not also report it as unhandled.
    result.catch(() => {});

    const chunks: AsyncIterable<string> = {
      [Symbol.asyncIterator]: async function* () {
        while (true) {
          if (queue.length > 0) {
            yield queue.shift()!;
            continue;
          }
          if (done) {
            if (failure) throw failure;
            return;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      },
    };
    return { chunks, result };
  }

  // --- internals ------------------------------------------------------------------------

  private validateRequest(request: ChatRequest): void {
    if (!request || !Array.isArray(request.messages) || request.messages.length === 0) {
      throw new BotloomError('LLM_BAD_REQUEST', 'An LLM request needs at least one message');
    }
    if (request.messages.length > MAX_MESSAGES) {
      throw new BotloomError('LLM_BAD_REQUEST', `An LLM request may have at most ${MAX_MESSAGES} messages`);
    }
    if (typeof request.purpose !== 'string' || request.purpose.trim() === '') {
      throw new BotloomError('LLM_BAD_REQUEST', 'An LLM request needs a purpose (e.g. "memory.reply")');
    }
    for (const message of request.messages) {
      if (!['system', 'user', 'assistant'].includes(message?.role) || typeof message.content !== 'string') {
        throw new BotloomError(
          'LLM_BAD_REQUEST',
          'Each message needs a role (system, user, assistant) and string content',
        );
      }
    }
  }

  private plan(request: ChatRequest): RoutePlan {
    try {
      return this.backend.router!.plan(
        this.pluginId,
        request.purpose,
        request.private === true || this.options.private === true,
      );
    } catch (error) {
      if (error instanceof LlmError) this.count(request.purpose, error.code.toLowerCase());
      throw error;
    }
  }

  /**
   * Tries the route's providers in order. A provider whose circuit is open, or whose retries
   * ran out on an outage or rate limit, hands the call to the next one; the route of a private
   * call holds local providers only, so fallback never crosses the privacy boundary.
   */
  private async acrossProviders<T>(
    request: ChatRequest,
    plan: RoutePlan,
    call: (provider: LlmProvider) => Promise<T>,
  ): Promise<T> {
    let lastError: unknown;
    for (const [index, provider] of plan.providers.entries()) {
      try {
        return await call(provider);
      } catch (error) {
        lastError = error;
        const next = plan.providers[index + 1];
        if (!next || !movesOn(error) || request.signal?.aborted) break;
        this.count(request.purpose, 'fallback');
        this.logger.warn(
          {
            purpose: request.purpose,
            provider: provider.name,
            next: next.name,
            code: (error as LlmError).code,
          },
          'LLM provider unavailable; the call moves to the next provider of its route',
        );
      }
    }
    if (plan.private && movesOn(lastError)) {
      throw new LlmNoLocalProviderError(
        `No local LLM provider could answer the private call "${request.purpose}" of plugin ${this.pluginId} (tried ${plan.providers
          .map((p) => p.name)
          .join(', ')}); it was not sent to any cloud provider`,
        { cause: lastError, details: { plugin: this.pluginId, purpose: request.purpose } },
      );
    }
    throw lastError;
  }

  private count(purpose: string, status: string): void {
    this.backend.metrics?.llmCalls.inc({ plugin: this.pluginId, purpose, status });
  }

  /**
   * Budgets are reserved, not just checked: before the call, an estimate (the prompt's tokens
   * plus `maxTokens`, or DEFAULT_COMPLETION_RESERVE) is held on the user's budgets atomically
   * in PostgreSQL, so concurrent calls on any instance see each other; afterwards the hold is
   * settled with the tokens the call really used (recorded by `record`). A call with
   * `maxTokens` is bounded, so its hold must fit whole; one without is admitted while anything
   * is left and holds the rest, so it alone can go past the limit, by its own excess.
   */
  private async withinBudget<T>(request: ChatRequest, call: () => Promise<T>): Promise<T> {
    if (!request.user) return call();
    const open: OpenBudget = { holds: [], used: 0 };
    this.openBudgets.set(request, open);
    try {
      await this.holdBudget(request, request.messages);
      return await call();
    } finally {
      this.openBudgets.delete(request);
      await this.settleBudget(request, open);
    }
  }

  private async holdBudget(request: ChatRequest, messages: ChatMessage[]): Promise<void> {
    const open = this.openBudgets.get(request);
    if (!open || !request.user) return;
    const estimate =
      estimateUsage(messages, '').promptTokens + (request.maxTokens ?? DEFAULT_COMPLETION_RESERVE);
    try {
      const hold = await this.backend.usage.reserve(
        request.user,
        this.pluginId,
        estimate,
        this.options.dailyTokenBudget,
        { exact: request.maxTokens !== undefined },
      );
      if (hold) open.holds.push(hold);
    } catch (error) {
      if (error instanceof LlmBudgetExceededError) this.count(request.purpose, 'budget_exceeded');
      throw error;
    }
  }

  private async settleBudget(request: ChatRequest, open: OpenBudget): Promise<void> {
    for (const [index, hold] of open.holds.entries()) {
      try {
        // The first hold takes what the call used; later ones (a repair) are only released.
        await this.backend.usage.settle(hold, index === 0 ? open.used : 0);
      } catch (error) {
        this.logger.error({ err: error, purpose: request.purpose }, 'could not settle an LLM budget hold');
      }
    }
  }

  private async record(
    request: ChatRequest,
    provider: string,
    model: string,
    usage: TokenUsage,
    latencyMs: number,
    error: boolean,
  ): Promise<void> {
    const open = this.openBudgets.get(request);
    if (open) open.used += Math.max(0, usage.promptTokens) + Math.max(0, usage.completionTokens);
    try {
      await this.backend.usage.record({
        plugin: this.pluginId,
        purpose: request.purpose,
        user: request.user,
        model,
        provider,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        latencyMs,
        error,
      });
    } catch (recordError) {
      // Accounting must not turn a good answer into a failure; the log keeps the evidence.
      this.logger.error({ err: recordError, purpose: request.purpose }, 'could not record LLM usage');
    }
  }

  private async finishOffline(
    request: ChatRequest,
    content: string,
    started: number,
    error = false,
  ): Promise<ChatResult> {
    const usage = estimateUsage(request.messages, content);
    const latencyMs = Date.now() - started;
    await this.record(request, OFFLINE_PROVIDER, OFFLINE_MODEL, usage, latencyMs, error);
    if (!error) this.count(request.purpose, 'offline');
    return { content, model: OFFLINE_MODEL, usage, latencyMs, offline: true, provider: OFFLINE_PROVIDER };
  }

  private requestOptions(provider: LlmProvider, request: ChatRequest) {
    return {
      signal: request.signal,
      timeout: provider.spec.timeoutMs,
      maxRetries: 0,
      headers: { [PURPOSE_HEADER]: request.purpose },
    };
  }

  private baseBody(provider: LlmProvider, request: ChatRequest, messages: ChatMessage[]) {
    return {
      model: provider.modelFor(request),
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.user ? { user: this.backend.pseudonym(request.user) } : {}),
    };
  }

  private complete(
    request: ChatRequest,
    messages: ChatMessage[],
    responseFormat?: ResponseFormat,
  ): Promise<RawCompletion> {
    return this.acrossProviders(request, this.plan(request), async (provider) => {
      if (!responseFormat || provider.structuredMode === 'json_object') {
        return this.completeWith(
          provider,
          request,
          messages,
          responseFormat && 'json_object',
          responseFormat,
        );
      }
      try {
        return await this.completeWith(provider, request, messages, 'json_schema', responseFormat);
      } catch (error) {
        // A provider without strict json_schema refuses it with 400: use json_object + validation from now on.
        if (!(error instanceof LlmRequestError) || (error.status !== 400 && error.status !== 422))
          throw error;
        provider.structuredMode = 'json_object';
        this.logger.warn(
          { provider: provider.name, purpose: request.purpose },
          'LLM provider refused json_schema; using json_object with schema validation for it',
        );
        return this.completeWith(provider, request, messages, 'json_object', responseFormat);
      }
    });
  }

  private async completeWith(
    provider: LlmProvider,
    request: ChatRequest,
    messages: ChatMessage[],
    mode: 'json_schema' | 'json_object' | undefined,
    responseFormat: ResponseFormat | undefined,
  ): Promise<RawCompletion> {
    const sent =
      mode === 'json_object' && responseFormat
        ? [
            ...messages,
            {
              role: 'system' as const,
              content: `Reply with one JSON object only, no other text. It must match this JSON schema: ${JSON.stringify(
                responseFormat.json_schema.schema,
              )}`,
            },
          ]
        : messages;
    const body = {
      ...this.baseBody(provider, request, sent),
      ...(mode === 'json_schema' ? { response_format: responseFormat } : {}),
      ...(mode === 'json_object' ? { response_format: { type: 'json_object' } } : {}),
    };
    const started = Date.now();
    try {
      const completion = await provider.execute(
        () =>
          provider.client.chat.completions.create(
            { ...body, stream: false } as any,
            this.requestOptions(provider, request),
          ),
        request.signal,
      );
      const choice = (completion as OpenAI.Chat.Completions.ChatCompletion).choices[0];
      const usage: TokenUsage = completion.usage
        ? {
            promptTokens: completion.usage.prompt_tokens,
            completionTokens: completion.usage.completion_tokens,
            totalTokens: completion.usage.total_tokens,
          }
        : estimateUsage(sent, choice?.message?.content ?? '');
      const latencyMs = Date.now() - started;
      const model = completion.model || body.model;
      await this.record(request, provider.name, model, usage, latencyMs, false);
      this.count(request.purpose, 'ok');
      return {
        content: choice?.message?.content ?? '',
        model,
        provider: provider.name,
        usage,
        refusal: (choice?.message as { refusal?: string | null } | undefined)?.refusal ?? null,
      };
    } catch (error) {
      await this.failed(request, provider.name, body.model, started, error);
      throw error;
    }
  }

  private async failed(
    request: ChatRequest,
    provider: string,
    model: string,
    started: number,
    error: unknown,
  ): Promise<void> {
    await this.record(
      request,
      provider,
      model,
      { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      Date.now() - started,
      true,
    );
    const code = error instanceof LlmError ? error.code.toLowerCase() : 'error';
    this.count(request.purpose, code);
    this.logger.warn(
      {
        purpose: request.purpose,
        provider,
        code,
        err: error instanceof Error ? { message: error.message } : error,
      },
      'LLM call failed',
    );
  }

  private async streamOnline(
    request: ChatRequest,
    push: (delta: string) => void,
    started: number,
  ): Promise<ChatResult> {
    // Retries, the circuit and fallback cover opening the stream; once text flows, a failure is final.
    const opened = await this.acrossProviders(request, this.plan(request), async (provider) => {
      const body = this.baseBody(provider, request, request.messages);
      const attemptStarted = Date.now();
      try {
        const stream = await provider.execute(
          () =>
            provider.client.chat.completions.create(
              { ...body, stream: true, stream_options: { include_usage: true } } as any,
              this.requestOptions(provider, request),
            ) as unknown as Promise<AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>>,
          request.signal,
        );
        return { provider, body, stream };
      } catch (error) {
        await this.failed(request, provider.name, body.model, attemptStarted, error);
        throw error;
      }
    });
    const { provider, body, stream } = opened;
    let content = '';
    let model = body.model;
    let reported: TokenUsage | null = null;
    try {
      for await (const chunk of stream) {
        if (chunk.model) model = chunk.model;
        const delta = chunk.choices?.[0]?.delta?.content;
        if (delta) {
          content += delta;
          push(delta);
        }
        if (chunk.usage) {
          reported = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
            totalTokens: chunk.usage.total_tokens,
          };
        }
      }
    } catch (error) {
      const failure =
        error instanceof LlmError
          ? error
          : new LlmUnavailableError(`The LLM stream broke off: ${(error as Error)?.message ?? error}`, {
              cause: error,
            });
      await this.failed(request, provider.name, model, started, failure);
      throw failure;
    }
    const usage = reported ?? estimateUsage(request.messages, content);
    const latencyMs = Date.now() - started;
    await this.record(request, provider.name, model, usage, latencyMs, false);
    this.count(request.purpose, 'ok');
    return { content, model, usage, latencyMs, offline: false, provider: provider.name };
  }
}
