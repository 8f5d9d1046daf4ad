import { QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import { BotloomError } from '../errors/botloom-error.js';
import { LlmBudgetExceededError } from './errors.js';
import type {
  BudgetHold,
  BudgetStatus,
  LlmUsageEntry,
  LlmUsageGroupBy,
  LlmUsageQuery,
  LlmUsageRow,
  LlmUsageService,
} from './types.js';

/** Which limit applies to every user across plugins when no override is set: '*'. */
export const GLOBAL_SCOPE = '*';

export const PriceTableSchema = z.record(
  z.string(),
  z.object({ prompt: z.number().min(0), completion: z.number().min(0) }).strict(),
);
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** Parses LLM_PRICES (USD per 1M tokens per model; key '*' for any other model). */
export function parsePriceTable(json: string | undefined): PriceTable {
  if (!json || json.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new BotloomError('CONFIG_INVALID', `LLM_PRICES is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = PriceTableSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BotloomError(
      'CONFIG_INVALID',
      `LLM_PRICES must look like {"model": {"prompt": 0.15, "completion": 0.6}} (USD per 1M tokens): ${parsed.error.issues
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

export function costUsd(
  prices: PriceTable,
  model: string,
  promptTokens: number,
  completionTokens: number,
): number {
  const price = prices[model] ?? prices['*'];
  if (!price) return 0;
  return (promptTokens * price.prompt + completionTokens * price.completion) / 1_000_000;
}

export function utcDay(date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

export function nextUtcMidnight(date = new Date()): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1));
}

const GROUP_COLUMNS: Record<LlmUsageGroupBy, string> = {
  day: 'day',
  plugin: 'plugin',
  purpose: 'purpose',
  user: 'user_id',
  model: 'model',
  provider: 'provider',
};

export interface UsageServiceOptions {
  sequelize: Sequelize;
  prices?: PriceTable;
  /** Price tables per provider name (LLM_PROVIDERS `prices`); `prices` covers the rest. */
  providerPrices?: Record<string, PriceTable>;
  /** LLM_DAILY_TOKEN_BUDGET: tokens per user per day across plugins (undefined = unlimited). */
  globalDailyTokenBudget?: number;
  now?: () => Date;
}

/** The usage ledger in PostgreSQL: one upserted row per day, plugin, purpose, user and model. */
export class PostgresLlmUsage implements LlmUsageService {
  private readonly sequelize: Sequelize;
  private readonly prices: PriceTable;
  private readonly providerPrices: Record<string, PriceTable>;
  private readonly globalDailyTokenBudget: number | undefined;
  private readonly now: () => Date;

  constructor(options: UsageServiceOptions) {
    this.sequelize = options.sequelize;
    this.prices = options.prices ?? {};
    this.providerPrices = options.providerPrices ?? {};
    this.globalDailyTokenBudget = options.globalDailyTokenBudget;
    this.now = options.now ?? (() => new Date());
  }

  async record(entry: LlmUsageEntry): Promise<void> {
    const prompt = Math.max(0, Math.round(entry.promptTokens));
    const completion = Math.max(0, Math.round(entry.completionTokens));
    await this.sequelize.query(
      `INSERT INTO core_llm_usage AS u
         (day, plugin, purpose, user_id, model, provider, calls, errors, prompt_tokens, completion_tokens,
          latency_ms_total, cost_usd, updated_at)
       VALUES (:day, :plugin, :purpose, :user, :model, :provider, 1, :errors, :prompt, :completion, :latency, :cost, now())
       ON CONFLICT (day, plugin, purpose, user_id, model, provider) DO UPDATE SET
         calls = u.calls + 1,
         errors = u.errors + EXCLUDED.errors,
         prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,
         completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens,
         latency_ms_total = u.latency_ms_total + EXCLUDED.latency_ms_total,
         cost_usd = u.cost_usd + EXCLUDED.cost_usd,
         updated_at = now()`,
      {
        replacements: {
          day: utcDay(entry.at ?? this.now()),
          plugin: entry.plugin.slice(0, 64),
          purpose: entry.purpose.slice(0, 128),
          user: (entry.user ?? '').slice(0, 64),
          model: entry.model.slice(0, 128),
          provider: (entry.provider ?? '').slice(0, 64),
          errors: entry.error ? 1 : 0,
          prompt,
          completion,
          latency: Math.max(0, Math.round(entry.latencyMs)),
          cost: costUsd(this.pricesOf(entry.provider), entry.model, prompt, completion).toFixed(10),
        },
        type: QueryTypes.INSERT,
      },
    );
  }

  private pricesOf(provider: string | undefined): PriceTable {
    return (provider && this.providerPrices[provider]) || this.prices;
  }

  async query(query: LlmUsageQuery = {}): Promise<LlmUsageRow[]> {
    // No groupBy = the raw ledger rows; an empty list = one row of totals.
    const groupBy = query.groupBy
      ? [...new Set(query.groupBy)]
      : (['day', 'plugin', 'purpose', 'user', 'model', 'provider'] as LlmUsageGroupBy[]);
    const where: string[] = [];
    const replacements: Record<string, unknown> = {};
    if (query.plugin !== undefined) {
      where.push('plugin = :plugin');
      replacements.plugin = query.plugin;
    }
    if (query.purpose !== undefined) {
      where.push('purpose = :purpose');
      replacements.purpose = query.purpose;
    }
    if (query.user !== undefined) {
      where.push('user_id = :user');
      replacements.user = query.user;
    }
    if (query.provider !== undefined) {
      where.push('provider = :provider');
      replacements.provider = query.provider;
    }
    if (query.from !== undefined) {
      where.push('day >= :from');
      replacements.from = query.from;
    }
    if (query.to !== undefined) {
      where.push('day <= :to');
      replacements.to = query.to;
    }
    const columns = groupBy.map((g) =>
      g === 'day' ? `to_char(day, 'YYYY-MM-DD') AS day` : `${GROUP_COLUMNS[g]}`,
    );
    const groupSql = groupBy.map((g) => GROUP_COLUMNS[g]).join(', ');
    const orderSql = groupBy.map((g) => (g === 'day' ? 'day DESC' : GROUP_COLUMNS[g])).join(', ');
    replacements.limit = Math.min(Math.max(query.limit ?? 1000, 1), 10_000);
    const rows = await this.sequelize.query<Record<string, any>>(
      `SELECT ${[...columns, ''].join(', ')}
         SUM(calls)::bigint AS calls, SUM(errors)::bigint AS errors,
         SUM(prompt_tokens)::bigint AS prompt_tokens, SUM(completion_tokens)::bigint AS completion_tokens,
         SUM(latency_ms_total)::bigint AS latency_ms_total, SUM(cost_usd) AS cost_usd
       FROM core_llm_usage
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ${groupSql ? `GROUP BY ${groupSql} ORDER BY ${orderSql}` : ''}
       LIMIT :limit`,
      { replacements, type: QueryTypes.SELECT },
    );
    return rows
      .filter((row) => row.calls !== null)
      .map((row) => {
        const calls = Number(row.calls);
        const promptTokens = Number(row.prompt_tokens);
        const completionTokens = Number(row.completion_tokens);
        const out: LlmUsageRow = {
          calls,
          errors: Number(row.errors),
          promptTokens,
          completionTokens,
          totalTokens: promptTokens + completionTokens,
          latencyMsAvg: calls > 0 ? Math.round(Number(row.latency_ms_total) / calls) : 0,
          costUsd: Number(row.cost_usd),
        };
        if (groupBy.includes('day')) out.day = row.day;
        if (groupBy.includes('plugin')) out.plugin = row.plugin;
        if (groupBy.includes('purpose')) out.purpose = row.purpose;
        if (groupBy.includes('user')) out.user = row.user_id;
        if (groupBy.includes('model')) out.model = row.model;
        if (groupBy.includes('provider')) out.provider = row.provider;
        return out;
      });
  }

  async usedToday(user: string, plugin?: string): Promise<{ total: number; plugin: number }> {
    const [row] = await this.sequelize.query<{ total: string | null; plugin_total: string | null }>(
      `SELECT SUM(prompt_tokens + completion_tokens) AS total,
              SUM(prompt_tokens + completion_tokens) FILTER (WHERE plugin = :plugin) AS plugin_total
         FROM core_llm_usage WHERE user_id = :user AND day = :day`,
      { replacements: { user, plugin: plugin ?? '', day: utcDay(this.now()) }, type: QueryTypes.SELECT },
    );
    return { total: Number(row?.total ?? 0), plugin: Number(row?.plugin_total ?? 0) };
  }

  async setUserLimit(plugin: string, user: string, tokens: number | null): Promise<void> {
    if (!plugin || !user) throw new BotloomError('VALIDATION_FAILED', 'plugin and user are required');
    if (tokens === null) {
      await this.sequelize.query('DELETE FROM core_llm_budgets WHERE plugin = :plugin AND user_id = :user', {
        replacements: { plugin, user },
      });
      return;
    }
    if (!Number.isInteger(tokens) || tokens < 0) {
      throw new BotloomError(
        'VALIDATION_FAILED',
        `A token limit must be a non-negative integer, got ${tokens}`,
      );
    }
    await this.sequelize.query(
      `INSERT INTO core_llm_budgets (plugin, user_id, daily_tokens, updated_at) VALUES (:plugin, :user, :tokens, now())
       ON CONFLICT (plugin, user_id) DO UPDATE SET daily_tokens = EXCLUDED.daily_tokens, updated_at = now()`,
      { replacements: { plugin, user, tokens } },
    );
  }

  async getUserLimits(user: string): Promise<Array<{ plugin: string; tokens: number }>> {
    const rows = await this.sequelize.query<{ plugin: string; daily_tokens: string }>(
      'SELECT plugin, daily_tokens FROM core_llm_budgets WHERE user_id = :user ORDER BY plugin',
      { replacements: { user }, type: QueryTypes.SELECT },
    );
    return rows.map((row) => ({ plugin: row.plugin, tokens: Number(row.daily_tokens) }));
  }

  async budget(user: string, plugin: string, pluginDailyTokenBudget?: number): Promise<BudgetStatus> {
    const resetsAt = nextUtcMidnight(this.now());
    const [used, overrides] = await Promise.all([this.usedToday(user, plugin), this.getUserLimits(user)]);
    const globalLimit =
      overrides.find((o) => o.plugin === GLOBAL_SCOPE)?.tokens ?? this.globalDailyTokenBudget;
    const pluginLimit = overrides.find((o) => o.plugin === plugin)?.tokens ?? pluginDailyTokenBudget;
    const candidates: BudgetStatus[] = [];
    if (globalLimit !== undefined) {
      candidates.push({
        used: used.total,
        limit: globalLimit,
        remaining: Math.max(0, globalLimit - used.total),
        resetsAt,
        scope: 'global',
      });
    }
    if (pluginLimit !== undefined) {
      candidates.push({
        used: used.plugin,
        limit: pluginLimit,
        remaining: Math.max(0, pluginLimit - used.plugin),
        resetsAt,
        scope: plugin,
      });
    }
    if (candidates.length === 0) return { used: used.plugin, limit: null, remaining: null, resetsAt };
    return candidates.reduce((tightest, c) => (c.remaining! < tightest.remaining! ? c : tightest));
  }

  /** The limits that bind `user` in `plugin`, by scope ('*' and/or the plugin id). */
  private async limitsOf(user: string, plugin: string, pluginDailyTokenBudget?: number) {
    const overrides = await this.getUserLimits(user);
    const limits = new Map<string, number>();
    const globalLimit =
      overrides.find((o) => o.plugin === GLOBAL_SCOPE)?.tokens ?? this.globalDailyTokenBudget;
    const pluginLimit = overrides.find((o) => o.plugin === plugin)?.tokens ?? pluginDailyTokenBudget;
    if (globalLimit !== undefined) limits.set(GLOBAL_SCOPE, globalLimit);
    if (pluginLimit !== undefined && plugin !== GLOBAL_SCOPE) limits.set(plugin, pluginLimit);
    return limits;
  }

  async reserve(
    user: string,
    plugin: string,
    tokens: number,
    pluginDailyTokenBudget?: number,
    options: { exact?: boolean } = {},
  ): Promise<BudgetHold | null> {
    const limits = await this.limitsOf(user, plugin, pluginDailyTokenBudget);
    if (limits.size === 0) return null;
    const now = this.now();
    const day = utcDay(now);
    const scopes = [...limits.keys()].sort();
    const wanted = Math.max(1, Math.ceil(tokens));
    // The day's rows start from what the usage ledger already holds (calls before any budget).
    await this.sequelize.query(
      `INSERT INTO core_llm_budget_ledger (day, user_id, scope, spent, reserved)
       SELECT :day, :user, s.scope,
              COALESCE((SELECT SUM(prompt_tokens + completion_tokens) FROM core_llm_usage u
                         WHERE u.user_id = :user AND u.day = :day AND (s.scope = '*' OR u.plugin = s.scope)), 0), 0
         FROM unnest(ARRAY[:scopes]::text[]) AS s(scope)
       ON CONFLICT DO NOTHING`,
      { replacements: { day, user, scopes } },
    );
    // One statement: lock the user's rows of the day in a fixed order, then hold on all of them
    // or on none. A concurrent reservation (any instance) waits for the lock and sees ours.
    const held = await this.sequelize.query<{ held: string }>(
      `WITH limits AS (
         SELECT * FROM unnest(ARRAY[:scopes]::text[], ARRAY[:limits]::bigint[]) AS t(scope, lim)
       ), locked AS (
         SELECT l.spent, l.reserved, limits.lim FROM core_llm_budget_ledger l
           JOIN limits ON limits.scope = l.scope
          WHERE l.day = :day AND l.user_id = :user
          ORDER BY l.scope FOR UPDATE OF l
       ), verdict AS (
         SELECT count(*) AS n,
                bool_and(CASE WHEN :exact THEN spent + reserved + :wanted::bigint <= lim ELSE spent + reserved < lim END) AS open,
                CASE WHEN :exact THEN :wanted::bigint ELSE LEAST(:wanted::bigint, min(lim - spent - reserved)) END AS take
           FROM locked
       )
       UPDATE core_llm_budget_ledger l SET reserved = l.reserved + verdict.take
         FROM verdict
        WHERE verdict.open AND verdict.n = :count AND l.day = :day AND l.user_id = :user
          AND l.scope IN (:scopes)
       RETURNING verdict.take AS held`,
      {
        replacements: {
          day,
          user,
          scopes,
          limits: scopes.map((s) => limits.get(s)!),
          wanted,
          count: scopes.length,
          exact: options.exact === true,
        },
        type: QueryTypes.SELECT,
      },
    );
    if (held.length > 0) return { day, user, scopes, tokens: Number(held[0]!.held) };
    const rows = await this.sequelize.query<{ scope: string; spent: string; reserved: string }>(
      'SELECT scope, spent, reserved FROM core_llm_budget_ledger WHERE day = :day AND user_id = :user AND scope IN (:scopes)',
      { replacements: { day, user, scopes }, type: QueryTypes.SELECT },
    );
    const spent = rows
      .map((r) => ({
        scope: r.scope,
        used: Number(r.spent) + Number(r.reserved),
        limit: limits.get(r.scope)!,
      }))
      .sort((a, b) => a.limit - a.used - (b.limit - b.used))[0] ?? {
      scope: scopes[0]!,
      used: 0,
      limit: limits.get(scopes[0]!)!,
    };
    throw new LlmBudgetExceededError({
      used: spent.used,
      limit: spent.limit,
      resetsAt: nextUtcMidnight(now),
      scope: spent.scope === GLOBAL_SCOPE ? 'global' : spent.scope,
      user,
    });
  }

  async settle(hold: BudgetHold, usedTokens: number): Promise<void> {
    await this.sequelize.query(
      `UPDATE core_llm_budget_ledger
          SET reserved = GREATEST(reserved - :held, 0), spent = spent + :used
        WHERE day = :day AND user_id = :user AND scope IN (:scopes)`,
      {
        replacements: {
          held: hold.tokens,
          used: Math.max(0, Math.round(usedTokens)),
          day: hold.day,
          user: hold.user,
          scopes: hold.scopes,
        },
      },
    );
  }

  async forgetUser(user: string): Promise<number> {
    if (!user) return 0;
    await this.sequelize.query('DELETE FROM core_llm_budget_ledger WHERE user_id = :user', {
      replacements: { user },
    });
    const [, usage] = (await this.sequelize.query('DELETE FROM core_llm_usage WHERE user_id = :user', {
      replacements: { user },
    })) as [unknown, { rowCount?: number }];
    const [, budgets] = (await this.sequelize.query('DELETE FROM core_llm_budgets WHERE user_id = :user', {
      replacements: { user },
    })) as [unknown, { rowCount?: number }];
    return (usage?.rowCount ?? 0) + (budgets?.rowCount ?? 0);
  }
}
