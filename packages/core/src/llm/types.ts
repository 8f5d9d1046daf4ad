import type { ZodType } from 'zod';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** What the call is for (`memory.reply`, `support.answer`, ...): usage accounting, fake-server scripting, model choice. */
  purpose: string;
  /** Explicit model; otherwise LLM_MODEL, or LLM_MODEL_FAST when `fast` is set. */
  model?: string;
  fast?: boolean;
  temperature?: number;
  maxTokens?: number;
  /** End-user id (e.g. Telegram user id) for budgets and usage. */
  user?: string;
  /**
   * Private data: only providers marked `local` may answer; with none available the call fails
   * with LLM_NO_LOCAL_PROVIDER. LLM_ROUTES can mark whole plugins or purposes private too.
   */
  private?: boolean;
  /**
   * What the offline provider says, in the message's language, when nothing in the request's
   * context matches: the caller knows who (if anyone) will answer instead. Default: "A person or
   * a configured model can answer it."
   */
  offlineNoMatch?: { en: string; ru: string };
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatResult {
  content: string;
  model: string;
  usage: TokenUsage;
  latencyMs: number;
  /** True when the offline provider answered (no model was called). */
  offline: boolean;
  /** Name of the provider that answered (`offline` for the offline provider). */
  provider?: string;
}

export interface StructuredRequest<T> extends ChatRequest {
  schema: ZodType<T>;
  schemaName?: string;
}

export interface StructuredResult<T> extends Omit<ChatResult, 'content'> {
  data: T;
}

export interface BudgetStatus {
  used: number;
  limit: number | null;
  remaining: number | null;
  resetsAt: Date;
  /** Which limit binds: 'global' or a plugin id (absent when no limit applies). */
  scope?: string;
}

/** The gateway every plugin uses instead of an OpenAI client. Scoped per plugin. */
export interface Llm {
  readonly offline: boolean;
  chat(request: ChatRequest): Promise<ChatResult>;
  structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>>;
  /** Yields text deltas; the final result (with usage) resolves when the stream ends. */
  stream(request: ChatRequest): { chunks: AsyncIterable<string>; result: Promise<ChatResult> };
  budget(user: string): Promise<BudgetStatus>;
}

/** One finished (or failed) LLM call, as the usage ledger records it. */
export interface LlmUsageEntry {
  plugin: string;
  purpose: string;
  /** End-user id, or '' / undefined for calls not made on behalf of a user. */
  user?: string;
  model: string;
  /** Provider that answered (or failed); '' when unknown. Its price table sets the cost. */
  provider?: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  error?: boolean;
  at?: Date;
}

export type LlmUsageGroupBy = 'day' | 'plugin' | 'purpose' | 'user' | 'model' | 'provider';

export interface LlmUsageQuery {
  plugin?: string;
  purpose?: string;
  user?: string;
  provider?: string;
  /** Inclusive UTC days, `YYYY-MM-DD`. */
  from?: string;
  to?: string;
  /** Columns to group by (default: day, plugin, purpose, user, model, provider — the raw rows; [] = totals). */
  groupBy?: LlmUsageGroupBy[];
  limit?: number;
}

export interface LlmUsageRow {
  day?: string;
  plugin?: string;
  purpose?: string;
  user?: string;
  model?: string;
  provider?: string;
  calls: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  latencyMsAvg: number;
  costUsd: number;
}

/** Usage ledger and budgets (table core_llm_usage, core_llm_budgets). */
export interface LlmUsageService {
  record(entry: LlmUsageEntry): Promise<void>;
  query(query?: LlmUsageQuery): Promise<LlmUsageRow[]>;
  /** Tokens the user spent today (UTC): across all plugins and in `plugin`. */
  usedToday(user: string, plugin?: string): Promise<{ total: number; plugin: number }>;
  /**
   * Per-user daily token limit override, set by admins. `plugin` is a plugin id or '*' for the
   * limit across all plugins; `null` removes the override (the defaults apply again).
   */
  setUserLimit(plugin: string, user: string, tokens: number | null): Promise<void>;
  getUserLimits(user: string): Promise<Array<{ plugin: string; tokens: number }>>;
  /** The budget that binds `user` in `plugin` today (the tighter of global and plugin limits). */
  budget(user: string, plugin: string, pluginDailyTokenBudget?: number): Promise<BudgetStatus>;
  /**
   * Holds `tokens` of `user`'s budgets in `plugin` before a call, atomically across instances
   * (one locking statement on `core_llm_budget_ledger`). `exact`: the hold must fit whole
   * (spent + reserved + tokens <= limit) or the call is refused. Otherwise the call is admitted
   * while anything is left and holds min(tokens, what is left). Throws LlmBudgetExceededError
   * when refused; returns null when no budget applies (nothing to settle).
   */
  reserve(
    user: string,
    plugin: string,
    tokens: number,
    pluginDailyTokenBudget?: number,
    options?: { exact?: boolean },
  ): Promise<BudgetHold | null>;
  /** Turns a hold into spending: releases what it held and adds what the call really used. */
  settle(hold: BudgetHold, usedTokens: number): Promise<void>;
  /** Deletes every usage row and limit of a user (data deletion requests). Returns rows removed. */
  forgetUser(user: string): Promise<number>;
}

/** Tokens held on a user's budgets for one call in flight (see `LlmUsageService.reserve`). */
export interface BudgetHold {
  day: string;
  user: string;
  /** The budgets it holds on: '*' (global) and/or a plugin id. */
  scopes: string[];
  tokens: number;
}

/** Options of one plugin's Llm (`llmFor(pluginId, options)`). */
export interface PluginLlmOptions {
  /** Tokens per user per day within this plugin (unset = only the global budget applies). */
  dailyTokenBudget?: number;
  /** Every call of this Llm is private (local providers only), whatever LLM_ROUTES says. */
  private?: boolean;
}
