import { SECRET_MARKER } from './secret.js';

/** One row of the settings table (`botloom config:check`, `GET /admin/api/core/settings`). */
export interface SettingRow {
  /** `core` or the plugin id. */
  owner: string;
  /** Key in the schema (core: the env name itself). */
  name: string;
  /** Environment names that set it, preferred first. */
  env: string[];
  /** Effective value, secrets masked; undefined when unset. */
  value: unknown;
  default: unknown;
  description?: string;
  /** The description per panel language (`en` is `description`), where one is written. */
  descriptions?: { en: string; ru?: string };
  secret: boolean;
  /** Where the effective value came from. */
  source: 'default' | 'options' | '.env' | 'env' | 'config' | 'unset';
}

/**
 * Settings whose value is never shown: marked with `secret()` (their description contains
 * "(secret)"). Never by name: `promptTokenBudget` is a number, not a credential.
 */
export function isSecretSetting(description?: string): boolean {
  return Boolean(description?.includes(SECRET_MARKER));
}

export const MASK = '********';

/** Hides secrets; for URLs, hides only the password part (`postgres://user:********@host/db`). */
export function maskValue(value: unknown, secret: boolean): unknown {
  if (value === undefined || value === null) return value;
  if (secret) return MASK;
  if (typeof value === 'string') return maskUrlPassword(value);
  return value;
}

export function maskUrlPassword(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/\s]+)(@)/gi, `$1${MASK}$3`)
    .replace(JSON_SECRET_FIELD, `$1${MASK}$3`);
}

/** Credentials inside a JSON-valued setting (LLM_PROVIDERS: `"apiKey": "sk-..."`). */
const JSON_SECRET_FIELD = /("[A-Za-z_]*(?:api_?key|token|secret|password)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi;

function formatCell(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A plain-text table for terminals. */
export function formatSettingsTable(rows: SettingRow[]): string {
  const header = ['owner', 'setting', 'env', 'value', 'default', 'source', 'description'];
  const body = rows.map((r) => [
    r.owner,
    r.name,
    r.env[0] ?? '',
    formatCell(r.value),
    formatCell(r.secret && r.default !== undefined ? MASK : r.default),
    r.source,
    r.description ?? '',
  ]);
  const caps = [20, 32, 44, 40, 24, 7, 200];
  const widths = header.map((h, i) =>
    Math.min(caps[i]!, Math.max(h.length, ...body.map((row) => row[i]!.length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === cells.length - 1
          ? c
          : c.length > widths[i]!
            ? `${c.slice(0, widths[i]! - 1)}…`
            : c.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
