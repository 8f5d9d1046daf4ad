import { z } from 'zod';
import type { CoreConfig } from '../config/core-config.js';
import { BotloomError } from '../errors/botloom-error.js';
import { type PriceTable, PriceTableSchema, parsePriceTable } from './usage.js';

/** The structured-output mode a provider speaks: strict `json_schema`, or `json_object` + validation. */
export type StructuredOutputMode = 'json_schema' | 'json_object';

/** One OpenAI-compatible endpoint, as LLM_PROVIDERS (or the single-endpoint settings) describe it. */
export interface ProviderSpec {
  name: string;
  baseUrl: string;
  /** Secret; never logged or shown. */
  apiKey?: string;
  model: string;
  fastModel: string;
  /** Other models this provider serves: an explicit `request.model` among them is sent as is. */
  models: string[];
  prices: PriceTable;
  timeoutMs: number;
  maxRetries: number;
  maxConcurrency: number;
  /** Runs on this machine or network: may answer private calls. */
  local: boolean;
  structuredOutput: StructuredOutputMode;
  /** Serves EMBEDDING_MODEL (default: the first provider). */
  embeddings: boolean;
}

/** The providers one plugin/purpose may use, in order, and whether its data is private. */
export interface RouteSpec {
  providers?: string[];
  private: boolean;
}

export interface LlmProvidersConfig {
  providers: ProviderSpec[];
  /** Keys: `default`, a plugin id, or `plugin/purpose`. */
  routes: Record<string, RouteSpec>;
}

const ProviderName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lowercase letters, digits, - and _');

const ProviderSchema = z
  .object({
    baseUrl: z.string().url(),
    apiKey: z.string().optional(),
    model: z.string().min(1).optional(),
    fastModel: z.string().min(1).optional(),
    models: z.array(z.string().min(1)).optional(),
    prices: PriceTableSchema.optional(),
    timeoutMs: z.number().int().min(100).optional(),
    maxRetries: z.number().int().min(0).max(10).optional(),
    maxConcurrency: z.number().int().min(1).optional(),
    local: z.boolean().optional(),
    structuredOutput: z.enum(['json_schema', 'json_object']).optional(),
    embeddings: z.boolean().optional(),
  })
  .strict();

const ProvidersSchema = z.record(ProviderName, ProviderSchema);

const RouteKey = z
  .string()
  .regex(
    /^(default|[a-z0-9][a-z0-9-]{0,63}(\/[A-Za-z0-9._:-]{1,128})?)$/,
    '`default`, `plugin` or `plugin/purpose`',
  );

const RouteSchema = z.union([
  z.array(ProviderName).min(1),
  z.object({ providers: z.array(ProviderName).min(1).optional(), private: z.boolean().optional() }).strict(),
]);

const RoutesSchema = z.record(RouteKey, RouteSchema);

function invalid(setting: string, message: string): BotloomError {
  return new BotloomError('CONFIG_INVALID', `${setting}: ${message}`);
}

function parseJson(setting: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(setting, `not valid JSON (${(error as Error).message})`);
  }
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** localhost, 127.0.0.0/8, ::1: a single endpoint there counts as local. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/**
 * Providers and routes from core settings. LLM_PROVIDERS (JSON) names the providers; without
 * it, OPENAI_API_KEY / OPENAI_BASE_URL make one provider called `default`; with neither, there
 * are no providers (the offline provider answers). LLM_ROUTES (JSON) maps `default`, a plugin
 * or `plugin/purpose` to provider names and marks private data.
 */
export function parseLlmProvidersConfig(config: CoreConfig): LlmProvidersConfig {
  const globalPrices = parsePriceTable(config.LLM_PRICES);
  const providers: ProviderSpec[] = [];
  if (config.LLM_PROVIDERS && config.LLM_PROVIDERS.trim() !== '') {
    const parsed = ProvidersSchema.safeParse(parseJson('LLM_PROVIDERS', config.LLM_PROVIDERS));
    if (!parsed.success) {
      throw invalid(
        'LLM_PROVIDERS',
        `expected {"name": {"baseUrl": "...", "apiKey": "...", "model": "...", "local": false}}: ${issues(parsed.error)}`,
      );
    }
    for (const [name, p] of Object.entries(parsed.data)) {
      const model = p.model ?? config.LLM_MODEL;
      providers.push({
        name,
        baseUrl: p.baseUrl,
        apiKey: p.apiKey,
        model,
        fastModel: p.fastModel ?? (p.model ? model : (config.LLM_MODEL_FAST ?? model)),
        models: p.models ?? [],
        prices: { ...globalPrices, ...(p.prices ?? {}) },
        timeoutMs: p.timeoutMs ?? config.LLM_TIMEOUT_MS,
        maxRetries: p.maxRetries ?? config.LLM_MAX_RETRIES,
        maxConcurrency: p.maxConcurrency ?? config.LLM_MAX_CONCURRENCY,
        local: p.local ?? false,
        structuredOutput: p.structuredOutput ?? 'json_schema',
        embeddings: p.embeddings ?? false,
      });
    }
    if (providers.length === 0) throw invalid('LLM_PROVIDERS', 'names no provider');
  } else if (config.OPENAI_API_KEY || config.OPENAI_BASE_URL) {
    const baseUrl = config.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
    providers.push({
      name: 'default',
      baseUrl,
      apiKey: config.OPENAI_API_KEY,
      model: config.LLM_MODEL,
      fastModel: config.LLM_MODEL_FAST ?? config.LLM_MODEL,
      models: [],
      prices: globalPrices,
      timeoutMs: config.LLM_TIMEOUT_MS,
      maxRetries: config.LLM_MAX_RETRIES,
      maxConcurrency: config.LLM_MAX_CONCURRENCY,
      local: isLoopbackUrl(baseUrl),
      structuredOutput: 'json_schema',
      embeddings: true,
    });
  }
  if (providers.length > 0 && !providers.some((p) => p.embeddings)) providers[0]!.embeddings = true;

  const routes: Record<string, RouteSpec> = {};
  if (config.LLM_ROUTES && config.LLM_ROUTES.trim() !== '') {
    const parsed = RoutesSchema.safeParse(parseJson('LLM_ROUTES', config.LLM_ROUTES));
    if (!parsed.success) {
      throw invalid(
        'LLM_ROUTES',
        `expected {"default": ["openai"], "support/answer": ["openai", "groq"], "memory": {"private": true}}: ${issues(parsed.error)}`,
      );
    }
    const byName = new Map(providers.map((p) => [p.name, p]));
    for (const [key, value] of Object.entries(parsed.data)) {
      const route: RouteSpec = Array.isArray(value)
        ? { providers: value, private: false }
        : { providers: value.providers, private: value.private ?? false };
      for (const name of route.providers ?? []) {
        const provider = byName.get(name);
        if (!provider) {
          throw invalid(
            'LLM_ROUTES',
            `route "${key}" names provider "${name}", which LLM_PROVIDERS does not define (known: ${[...byName.keys()].join(', ') || 'none'})`,
          );
        }
        if (route.private && !provider.local) {
          throw invalid(
            'LLM_ROUTES',
            `route "${key}" is private but names the cloud provider "${name}"; private routes may only name providers with "local": true`,
          );
        }
      }
      routes[key] = route;
    }
  }
  return { providers, routes };
}

/** Provider API keys, for the logger's redaction list. */
export function llmProviderSecrets(config: CoreConfig): string[] {
  try {
    return parseLlmProvidersConfig(config)
      .providers.map((p) => p.apiKey)
      .filter((key): key is string => typeof key === 'string' && key.length >= 8);
  } catch {
    return [];
  }
}
