import type OpenAI from 'openai';
import type { Logger } from 'pino';
import { LlmNoLocalProviderError } from './errors.js';
import { openaiSdk } from './openai-sdk.js';
import { ProviderStats, type ProviderStatsSnapshot } from './provider-stats.js';
import type { ProviderSpec, RouteSpec, StructuredOutputMode } from './providers.js';
import {
  type CircuitOptions,
  type CircuitState,
  classifyFailure,
  ResilientExecutor,
  type RetryPolicy,
} from './resilience.js';

export interface ProviderStatus {
  name: string;
  endpoint: string;
  local: boolean;
  model: string;
  fastModel: string;
  structuredOutput: StructuredOutputMode;
  circuit: CircuitState;
  concurrency: { active: number; queued: number; limit: number };
  stats: ProviderStatsSnapshot;
}

/** `scheme://host/path` without credentials or query: safe to print. */
export function publicEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** One configured provider at run time: its client, circuit, retries, concurrency cap and stats. */
export class LlmProvider {
  readonly client: OpenAI;
  readonly executor: ResilientExecutor;
  private readonly stats = new ProviderStats();
  /** Starts as configured; drops to json_object when the provider refuses json_schema. */
  structuredMode: StructuredOutputMode;

  constructor(
    readonly spec: ProviderSpec,
    options: { retry: RetryPolicy; circuit: CircuitOptions; logger: Logger },
  ) {
    const log = options.logger.child({ provider: spec.name });
    this.structuredMode = spec.structuredOutput;
    this.client = new (openaiSdk().default)({
      // Local servers (Ollama, LM Studio, vLLM) accept any key; the client insists on one.
      apiKey: spec.apiKey || 'not-needed',
      baseURL: spec.baseUrl,
      maxRetries: 0,
      timeout: spec.timeoutMs,
    });
    this.executor = new ResilientExecutor(
      { ...options.retry, maxRetries: spec.maxRetries },
      options.circuit,
      spec.maxConcurrency,
      {
        onRetry: ({ attempt, delayMs, failure }) =>
          log.warn(
            { attempt, delayMs, kind: failure.kind, status: failure.status },
            'LLM call failed; retrying',
          ),
        onCircuit: (state) =>
          (state === 'open' ? log.error.bind(log) : log.info.bind(log))(
            { circuit: state },
            `LLM circuit of provider ${spec.name} ${state}`,
          ),
      },
    );
  }

  get name(): string {
    return this.spec.name;
  }

  get local(): boolean {
    return this.spec.local;
  }

  /** An explicit model the provider serves is sent as is; otherwise its own (fast) model. */
  modelFor(request: { model?: string; fast?: boolean }): string {
    const { model, fastModel, models } = this.spec;
    if (
      request.model &&
      (request.model === model || request.model === fastModel || models.includes(request.model))
    )
      return request.model;
    return request.fast ? fastModel : model;
  }

  /** Retries and the circuit around `attempt`; every attempt's outcome feeds the stats. */
  execute<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.executor.execute(async () => {
      const started = performance.now();
      try {
        const result = await attempt();
        this.stats.record(true, performance.now() - started);
        return result;
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.kind !== 'aborted') this.stats.record(false, performance.now() - started, failure.kind);
        throw error;
      }
    }, signal);
  }

  status(): ProviderStatus {
    return {
      name: this.spec.name,
      endpoint: publicEndpoint(this.spec.baseUrl),
      local: this.spec.local,
      model: this.spec.model,
      fastModel: this.spec.fastModel,
      structuredOutput: this.structuredMode,
      circuit: this.executor.circuitState,
      concurrency: this.executor.concurrency,
      stats: this.stats.snapshot(),
    };
  }

  shutdown(): void {
    this.executor.shutdown();
  }
}

/** Where one call goes: providers in fallback order, and whether its data must stay local. */
export interface RoutePlan {
  /** The most specific LLM_ROUTES key that matched (`default` when none did). */
  route: string;
  providers: LlmProvider[];
  private: boolean;
}

/** Route keys for a call, most specific first: `support/answer` matches purpose `support.answer`. */
export function routeKeys(pluginId: string, purpose: string): string[] {
  const short = purpose.startsWith(`${pluginId}.`) ? purpose.slice(pluginId.length + 1) : purpose;
  const keys = [`${pluginId}/${short}`];
  if (short !== purpose) keys.push(`${pluginId}/${purpose}`);
  keys.push(pluginId, 'default');
  return keys;
}

/** Picks providers per plugin and purpose (LLM_ROUTES) and keeps private calls on local providers. */
export class LlmRouter {
  private readonly byName: Map<string, LlmProvider>;

  constructor(
    readonly providers: LlmProvider[],
    readonly routes: Record<string, RouteSpec>,
  ) {
    this.byName = new Map(providers.map((p) => [p.name, p]));
  }

  plan(pluginId: string, purpose: string, forcePrivate = false): RoutePlan {
    const matched = routeKeys(pluginId, purpose).filter((key) => this.routes[key]);
    const isPrivate = forcePrivate || matched.some((key) => this.routes[key]!.private);
    const withProviders = matched.find((key) => this.routes[key]!.providers);
    const names = withProviders ? this.routes[withProviders]!.providers! : this.providers.map((p) => p.name);
    let providers = names.map((name) => this.byName.get(name)!).filter(Boolean);
    if (isPrivate) {
      providers = providers.filter((p) => p.local);
      if (providers.length === 0) providers = this.providers.filter((p) => p.local);
      if (providers.length === 0) {
        throw new LlmNoLocalProviderError(
          `The call "${purpose}" of plugin ${pluginId} is private and no local LLM provider is configured; it was not sent to any cloud provider`,
          { details: { plugin: pluginId, purpose } },
        );
      }
    }
    return { route: matched[0] ?? 'default', providers, private: isPrivate };
  }

  /** The routes as configured plus the implicit default, for the admin status. */
  describeRoutes(): Record<string, { providers: string[]; private: boolean }> {
    const out: Record<string, { providers: string[]; private: boolean }> = {};
    if (!this.routes.default) out.default = { providers: this.providers.map((p) => p.name), private: false };
    for (const [key, route] of Object.entries(this.routes)) {
      out[key] = { providers: route.providers ?? [], private: route.private };
    }
    return out;
  }

  shutdown(): void {
    for (const provider of this.providers) provider.shutdown();
  }
}
