import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import { InstagramInputError, InstagramNotFoundError } from './errors.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');

export const RuleConditionsSchema = z
  .object({
    intents: z.array(z.string().min(1).max(50)).min(1).optional(),
    keywords: z
      .object({
        mode: z.enum(['contains', 'word', 'exact']),
        values: z.array(z.string().min(1).max(200)).min(1).max(100),
        caseSensitive: z.boolean().default(false),
      })
      .strict()
      .optional(),
    sentiments: z
      .array(z.enum(['positive', 'neutral', 'negative']))
      .min(1)
      .optional(),
    firstMessage: z.boolean().optional(),
    timeOfDay: z.object({ from: hhmm, to: hhmm }).strict().optional(),
    businessHours: z
      .object({
        inside: z.boolean(),
        days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
        from: hhmm,
        to: hhmm,
      })
      .strict()
      .optional(),
    segments: z.array(z.string().min(1).max(100)).min(1).optional(),
  })
  .strict();

export const RuleActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ai_reply'), instructions: z.string().max(2000).optional() }).strict(),
  z.object({ type: z.literal('template'), text: z.string().min(1).max(4000) }).strict(),
  z.object({ type: z.literal('tag'), tags: z.array(z.string().min(1).max(50)).min(1).max(20) }).strict(),
  z.object({ type: z.literal('handoff'), message: z.string().min(1).max(2000).optional() }).strict(),
  z.object({ type: z.literal('no_reply') }).strict(),
]);

export const RuleDefinitionSchema = z
  .object({
    name: z.string().min(1).max(200),
    priority: z.number().int().min(0).max(10_000).default(100),
    enabled: z.boolean().default(true),
    conditions: RuleConditionsSchema.default({}),
    action: RuleActionSchema,
    cooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86400)
      .default(0),
  })
  .strict();

export type RuleDefinition = z.output<typeof RuleDefinitionSchema>;
export type RuleConditions = z.output<typeof RuleConditionsSchema>;
export type RuleAction = z.output<typeof RuleActionSchema>;
export interface Rule extends RuleDefinition {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What a rule's conditions look at: one incoming message and its thread. */
export interface RuleFacts {
  text: string;
  intent: string;
  sentiment: string;
  firstMessage: boolean;
  segment: string | null;
  /** The behaviour cluster (`cluster-1`...); a rule's `segments` matches it as well as `segment`. */
  cluster?: string | null;
  at: Date;
  timezone: string;
}

/**
 * Validates a rule; a bad one is a 400 naming the first wrong path. `fieldOf` names the form
 * input a path belongs to when the body came from the panel's form (see rule-form.ts).
 */
export function parseRule(input: unknown, fieldOf: (path: string) => string = (p) => p): RuleDefinition {
  const parsed = RuleDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      // An unknown key is named by its own path (`action.text`), so a form shows it under that input.
      path: [...i.path, ...(i.code === 'unrecognized_keys' ? i.keys.slice(0, 1) : [])].join('.'),
      message: i.message,
    }));
    const path = issues[0]?.path;
    throw new InstagramInputError(
      `Invalid rule at ${path || '(root)'}: ${issues[0]?.message}`,
      'INSTAGRAM_INVALID_RULE',
      // `field` lets the panel's rule form show the first problem under the input it concerns.
      { issues, field: path ? fieldOf(path) : undefined },
    );
  }
  return parsed.data;
}

export function matches(conditions: RuleConditions, facts: RuleFacts): boolean {
  if (conditions.intents && !conditions.intents.includes(facts.intent)) return false;
  if (conditions.sentiments && !conditions.sentiments.includes(facts.sentiment as never)) return false;
  if (conditions.firstMessage !== undefined && conditions.firstMessage !== facts.firstMessage) return false;
  if (conditions.segments && !conditions.segments.some((s) => s === facts.segment || s === facts.cluster))
    return false;
  if (conditions.keywords && !keywordsMatch(conditions.keywords, facts.text)) return false;
  const local = localTime(facts.at, facts.timezone);
  if (conditions.timeOfDay && !inRange(local.minutes, conditions.timeOfDay.from, conditions.timeOfDay.to))
    return false;
  if (conditions.businessHours) {
    const open =
      conditions.businessHours.days.includes(local.isoDay) &&
      inRange(local.minutes, conditions.businessHours.from, conditions.businessHours.to);
    if (open !== conditions.businessHours.inside) return false;
  }
  return true;
}

function keywordsMatch(k: NonNullable<RuleConditions['keywords']>, text: string): boolean {
  const norm = (s: string) =>
    (k.caseSensitive ? s : s.toLocaleLowerCase()).normalize('NFC').replace(/ё/g, 'е');
  const haystack = norm(text);
  return k.values.some((value) => {
    const needle = norm(value);
    if (k.mode === 'exact') return haystack.trim() === needle.trim();
    if (k.mode === 'contains') return haystack.includes(needle);
    const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').test(haystack);
  });
}

const toMinutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** `from` to `to`, wrapping past midnight when `to` is earlier (22:00–06:00). */
function inRange(minutes: number, from: string, to: string): boolean {
  const a = toMinutes(from);
  const b = toMinutes(to);
  return a <= b ? minutes >= a && minutes < b : minutes >= a || minutes < b;
}

function localTime(at: Date, timeZone: string): { minutes: number; isoDay: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  return {
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
    isoDay: days.indexOf(get('weekday')) + 1,
  };
}

type Row = Record<string, unknown>;

/** Rule definitions in `instagram_rules`. */
export class RuleStore {
  constructor(private readonly db: Sequelize) {}

  async list(): Promise<Rule[]> {
    const rows = await this.db.query<Row>(
      `SELECT * FROM instagram_rules ORDER BY priority DESC, created_at ASC`,
      {
        type: QueryTypes.SELECT,
      },
    );
    return rows.map(toRule);
  }

  async get(id: string): Promise<Rule> {
    const rows = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.db.query<Row>(`SELECT * FROM instagram_rules WHERE id = $1`, {
          bind: [id],
          type: QueryTypes.SELECT,
        })
      : [];
    if (!rows[0]) throw new InstagramNotFoundError('Rule', id);
    return toRule(rows[0]);
  }

  async create(input: unknown): Promise<Rule> {
    const rule = parseRule(input);
    const id = randomUUID();
    await this.db.query(
      `INSERT INTO instagram_rules (id, name, priority, enabled, conditions, action, cooldown_seconds)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)`,
      {
        bind: [
          id,
          rule.name,
          rule.priority,
          rule.enabled,
          JSON.stringify(rule.conditions),
          JSON.stringify(rule.action),
          rule.cooldownSeconds,
        ],
      },
    );
    return this.get(id);
  }

  async update(id: string, input: unknown): Promise<Rule> {
    await this.get(id);
    const rule = parseRule(input);
    await this.db.query(
      `UPDATE instagram_rules SET name = $2, priority = $3, enabled = $4, conditions = $5::jsonb, action = $6::jsonb,
              cooldown_seconds = $7, updated_at = now() WHERE id = $1`,
      {
        bind: [
          id,
          rule.name,
          rule.priority,
          rule.enabled,
          JSON.stringify(rule.conditions),
          JSON.stringify(rule.action),
          rule.cooldownSeconds,
        ],
      },
    );
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.db.query(`DELETE FROM instagram_rules WHERE id = $1`, { bind: [id] });
  }
}

function toRule(r: Row): Rule {
  return {
    id: String(r.id),
    name: String(r.name),
    priority: Number(r.priority),
    enabled: Boolean(r.enabled),
    conditions: r.conditions as RuleConditions,
    action: r.action as RuleAction,
    cooldownSeconds: Number(r.cooldown_seconds),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}
