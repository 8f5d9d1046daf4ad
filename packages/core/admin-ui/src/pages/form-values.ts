import type { ApiIssue, Field } from '../api.js';
import { pick } from '../api.js';

/** What the form values of a declarative create/edit form mean: pure, so they are unit-tested. */

export type RowValues = Record<string, string | boolean>;
export type Values = Record<string, string | boolean | RowValues[]>;

/** A value the browser can tell is wrong before sending (JSON that does not parse). */
export class FormValueError extends Error {
  constructor(
    readonly field: string,
    readonly reason: 'json',
    message: string,
  ) {
    super(message);
  }
}

/** The form's starting values: an item's current ones (edit) or empty (create). */
export function initialValues(fields: Field[], item: unknown): Values {
  const values: Values = {};
  for (const field of fields) {
    const value = item === undefined ? undefined : pick(item, field.key);
    if (field.type === 'objects')
      values[field.key] = Array.isArray(value)
        ? value.map((row) => initialValues(field.fields ?? [], row) as RowValues)
        : [];
    else if (field.type === 'json')
      values[field.key] = value === undefined ? '' : JSON.stringify(value, null, 2);
    else if (field.type === 'boolean') values[field.key] = value === true;
    else if (field.type === 'list')
      values[field.key] = Array.isArray(value) ? value.map(String).join('\n') : '';
    else if (field.type === 'select')
      values[field.key] = value == null ? (field.options?.[0] ?? '') : String(value);
    else values[field.key] = value == null ? '' : String(value);
  }
  return values;
}

/** An empty row of an `objects` field. */
export function emptyRow(field: Field): RowValues {
  return initialValues(field.fields ?? [], undefined) as RowValues;
}

/**
 * Writes `value` at a field path: `audience.tag` goes to `{ audience: { tag } }`, as `pick`
 * reads it, so a form sends back the shape it was filled from.
 */
function put(body: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = body;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) target[part] = {};
    target = target[part] as Record<string, unknown>;
  }
  target[parts[parts.length - 1]!] = value;
}

/**
 * The JSON body the fields stand for; an empty optional field is left out, and a dotted key
 * (`audience.tag`) is sent nested. Throws `FormValueError` for JSON that does not parse.
 */
export function formBody(fields: Field[], values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.key];
    if (field.type === 'objects') {
      const rows = Array.isArray(value) ? value : [];
      put(
        body,
        field.key,
        rows.map((row) => formBody(field.fields ?? [], row)),
      );
      continue;
    }
    if (field.type === 'boolean') {
      put(body, field.key, value === true);
      continue;
    }
    const raw = typeof value === 'string' ? value : '';
    if (field.type === 'list') {
      put(
        body,
        field.key,
        raw
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean),
      );
      continue;
    }
    if (raw.trim() === '' && !field.required) continue;
    if (field.type === 'json') {
      try {
        put(body, field.key, JSON.parse(raw));
      } catch (err) {
        throw new FormValueError(field.key, 'json', (err as Error).message);
      }
      continue;
    }
    put(body, field.key, field.type === 'number' || field.type === 'telegramId' ? Number(raw) : raw);
  }
  return body;
}

/**
 * Which field each problem of a refused write belongs to: the 422 `issues` (by path, `tags.0`
 * belongs to `tags`) and a domain error's `details.field`. The rest is said above the button.
 */
export function fieldErrors(
  fields: Field[],
  error: { message: string; code: string; issues: ApiIssue[]; details?: unknown },
): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  const owner = (path: string) =>
    fields.find((f) => path === f.key || path.startsWith(`${f.key}.`))?.key ?? undefined;
  for (const issue of error.issues) {
    const key = owner(String(issue.path ?? ''));
    if (key) byField[key] = byField[key] ? `${byField[key]}; ${issue.message}` : issue.message;
    else general.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  const detailField = (error.details as { field?: unknown } | undefined)?.field;
  const key = typeof detailField === 'string' ? owner(detailField) : undefined;
  if (key && !byField[key]) byField[key] = error.message;
  else if (error.issues.length === 0) general.push(`${error.message} (${error.code})`);
  return { byField, general };
}
