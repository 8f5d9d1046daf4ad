import { InstagramInputError } from './errors.js';
import { parseRule, type Rule, type RuleConditions, type RuleDefinition } from './rules.js';

/**
 * The admin panel's rule form: conditions as rows (one per condition kind, edited with the
 * panel's `objects` field) and the action as flat inputs (`action.type`, `action.text`...).
 * The API's own shape (`conditions` as an object) is unchanged; this module translates the
 * form's shape to it and back. Every row has every input, so a row reads only the inputs of
 * its kind; a filled text input another kind uses is refused rather than silently dropped.
 */

export const CONDITION_KINDS = [
  'keywords',
  'intents',
  'sentiments',
  'segments',
  'firstMessage',
  'timeOfDay',
  'businessHours',
] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

export const KEYWORD_MODES = ['word', 'contains', 'exact'] as const;
export const ACTION_TYPES = ['ai_reply', 'template', 'tag', 'handoff', 'no_reply'] as const;

/** One row of the form. `not` turns firstMessage into "not the first" and businessHours into "outside". */
export interface ConditionRow {
  kind: ConditionKind;
  values?: string[];
  mode?: (typeof KEYWORD_MODES)[number];
  caseSensitive?: boolean;
  not?: boolean;
  from?: string;
  to?: string;
  /** ISO weekdays, comma-separated: `1,2,3,4,5` (Monday is 1). */
  days?: string;
}

const ROW_INPUTS = ['values', 'mode', 'caseSensitive', 'not', 'from', 'to', 'days'] as const;
/** The text inputs each kind reads (selects and checkboxes always arrive, so they are not checked). */
const TEXT_INPUTS: Record<ConditionKind, readonly string[]> = {
  keywords: ['values'],
  intents: ['values'],
  sentiments: ['values'],
  segments: ['values'],
  firstMessage: [],
  timeOfDay: ['from', 'to'],
  businessHours: ['from', 'to', 'days'],
};

/** A rule's conditions as the form's rows, in a fixed order. */
export function conditionsToRows(conditions: RuleConditions | undefined): ConditionRow[] {
  const c = conditions ?? {};
  const rows: ConditionRow[] = [];
  if (c.keywords)
    rows.push({
      kind: 'keywords',
      values: c.keywords.values,
      mode: c.keywords.mode,
      caseSensitive: c.keywords.caseSensitive ?? false,
    });
  if (c.intents) rows.push({ kind: 'intents', values: c.intents });
  if (c.sentiments) rows.push({ kind: 'sentiments', values: c.sentiments });
  if (c.segments) rows.push({ kind: 'segments', values: c.segments });
  if (c.firstMessage !== undefined) rows.push({ kind: 'firstMessage', not: !c.firstMessage });
  if (c.timeOfDay) rows.push({ kind: 'timeOfDay', from: c.timeOfDay.from, to: c.timeOfDay.to });
  if (c.businessHours)
    rows.push({
      kind: 'businessHours',
      not: !c.businessHours.inside,
      days: (c.businessHours.days ?? [1, 2, 3, 4, 5]).join(','),
      from: c.businessHours.from,
      to: c.businessHours.to,
    });
  return rows;
}

const rowError = (index: number, input: string, message: string) =>
  new InstagramInputError(`Condition ${index + 1}: ${message}`, 'INSTAGRAM_INVALID_RULE', {
    field: `conditionRows.${index}.${input}`,
  });

const filled = (v: unknown) =>
  v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

/**
 * The form's rows as the API's `conditions` object (still to be checked by the rule schema).
 * One row per kind; `not` only where it means something.
 */
export function rowsToConditions(input: unknown): Record<string, unknown> {
  if (!Array.isArray(input))
    throw new InstagramInputError('conditionRows must be a list of conditions', 'INSTAGRAM_INVALID_RULE', {
      field: 'conditionRows',
    });
  const out: Record<string, unknown> = {};
  const seen = new Map<string, number>();
  input.forEach((raw, index) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      throw rowError(index, 'kind', 'expected an object');
    const row = raw as Record<string, unknown>;
    const kind = row.kind as ConditionKind;
    if (!CONDITION_KINDS.includes(kind))
      throw rowError(index, 'kind', `kind must be one of ${CONDITION_KINDS.join(', ')}`);
    if (seen.has(kind))
      throw rowError(
        index,
        'kind',
        `a second "${kind}" condition; put all its values in row ${seen.get(kind)! + 1}`,
      );
    seen.set(kind, index);
    for (const key of Object.keys(row)) {
      if (key !== 'kind' && !(ROW_INPUTS as readonly string[]).includes(key))
        throw rowError(index, key, `unknown input "${key}"`);
    }
    for (const key of ['values', 'from', 'to', 'days']) {
      if (filled(row[key]) && !TEXT_INPUTS[kind].includes(key))
        throw rowError(index, key, `"${key}" is not used by the ${kind} condition`);
    }
    if (row.not === true && kind !== 'firstMessage' && kind !== 'businessHours')
      throw rowError(index, 'not', `"not" is only for firstMessage and businessHours`);
    switch (kind) {
      case 'keywords':
        out.keywords = {
          mode: row.mode ?? 'word',
          values: row.values,
          ...(row.caseSensitive === undefined ? {} : { caseSensitive: row.caseSensitive }),
        };
        break;
      case 'intents':
      case 'sentiments':
      case 'segments':
        out[kind] = row.values;
        break;
      case 'firstMessage':
        out.firstMessage = row.not !== true;
        break;
      case 'timeOfDay':
        out.timeOfDay = { from: row.from, to: row.to };
        break;
      case 'businessHours':
        out.businessHours = {
          inside: row.not !== true,
          ...(filled(row.days) ? { days: parseDays(row.days, index) } : {}),
          from: row.from,
          to: row.to,
        };
        break;
    }
  });
  return out;
}

function parseDays(days: unknown, index: number): number[] {
  const parts = Array.isArray(days) ? days.map(String) : String(days).split(/[\s,]+/);
  const parsed = parts.filter(Boolean).map((d) => Number(d));
  if (parsed.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
    throw rowError(index, 'days', 'days are numbers 1 (Monday) to 7 (Sunday), comma-separated');
  return [...new Set(parsed)];
}

/** Which row input a schema path under `conditions.<kind>` concerns. */
function rowInput(kind: string, rest: string[]): string {
  const first = rest[0] ?? '';
  if (kind === 'firstMessage') return 'not';
  if (kind === 'businessHours' && first === 'inside') return 'not';
  if (['mode', 'values', 'caseSensitive', 'from', 'to', 'days'].includes(first)) return first;
  return ['intents', 'sentiments', 'segments'].includes(kind) ? 'values' : 'kind';
}

/**
 * A rule body from the panel or the API, in the API's shape: `conditionRows` (the form) become
 * `conditions`, and the action's empty inputs (a form sends every one) are dropped. Where the
 * rows came from, errors about `conditions.<kind>` are named on the row of that kind.
 */
export function ruleInput(body: unknown): { input: unknown; fieldOf(path: string): string } {
  const same = (path: string) => path;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { input: body, fieldOf: same };
  const { conditionRows, ...rest } = body as Record<string, unknown>;
  const result: Record<string, unknown> = { ...rest };
  if (result.action && typeof result.action === 'object' && !Array.isArray(result.action))
    result.action = Object.fromEntries(Object.entries(result.action).filter(([, v]) => filled(v)));
  if (conditionRows === undefined) return { input: result, fieldOf: same };
  if (rest.conditions !== undefined)
    throw new InstagramInputError('Send conditions or conditionRows, not both', 'INSTAGRAM_INVALID_RULE', {
      field: 'conditionRows',
    });
  result.conditions = rowsToConditions(conditionRows);
  const kinds = (conditionRows as Array<{ kind?: unknown }>).map((r) => r.kind);
  return {
    input: result,
    fieldOf: (path) => {
      const [head, kind = '', ...rest] = path.split('.');
      if (head !== 'conditions') return path;
      const index = kinds.indexOf(kind);
      return index < 0 ? 'conditionRows' : `conditionRows.${index}.${rowInput(kind, rest)}`;
    },
  };
}

/** Validates a rule body in either shape (the panel's form or the API's). */
export function parseRuleBody(body: unknown): RuleDefinition {
  const { input, fieldOf } = ruleInput(body);
  return parseRule(input, fieldOf);
}

/** A rule as the API answers it: with its conditions also as the form's rows. */
export function ruleView(rule: Rule): Rule & { conditionRows: ConditionRow[] } {
  return { ...rule, conditionRows: conditionsToRows(rule.conditions) };
}
