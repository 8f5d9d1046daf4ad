import { maskUrlPassword } from '../config/settings.js';

/**
 * Scrubbing of error reports before they leave the process: message text, names, tokens,
 * secrets, phone numbers, e-mail addresses and Telegram initData. Two layers: strings the
 * boundary knows to be user data are cut out verbatim (and their longer words, so a slice of a
 * message is caught too), then patterns catch what nobody listed.
 */

export const REDACTED = '[redacted]';

const PATTERNS: Array<[RegExp, string]> = [
  // Telegram initData / tgWebAppData: a query string with auth_date and hash.
  [/\S*(?:auth_date|tgWebAppData)=\S*/gi, '[initData]'],
  // Bot tokens (123456789:AA...).
  [/\b\d{5,12}:[A-Za-z0-9_-]{30,}\b/g, '[token]'],
  // Authorization header values.
  [/\b(Bearer|Basic|tma)\s+[A-Za-z0-9._~+/=%-]{6,}/gi, '$1 [token]'],
  // API keys in their usual shapes (OpenAI, Anthropic, Stripe, GitHub, Slack, AWS).
  [/\b(?:sk|pk|rk)[-_](?:[A-Za-z0-9]+[-_])*[A-Za-z0-9]{8,}\b/g, '[secret]'],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b/g, '[secret]'],
  // key=value / "key": "value" for credential-like keys.
  [
    /((?:api[_-]?key|access[_-]?key|token|secret|password|passwd|authorization|signature|hash|dsn)["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
    `$1${REDACTED}`,
  ],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g, '[email]'],
  // Phone numbers: 9+ digits with the usual separators (Telegram user ids are caught too: fine).
  [/\+?\d[\d\s().-]{7,}\d/g, '[phone]'],
];

const MIN_WORD = 4;
/** A run of this many characters copied from user data counts as user data (slices, quotes). */
const MIN_OVERLAP = 8;

/** What to cut out of report text: the user's strings themselves and their words. */
export interface SensitiveData {
  sources: string[];
  /** Each string and its words of at least 4 characters, longest first. */
  needles: string[];
  /** 8-character windows of `sources` (built on first use). */
  grams?: Set<string>;
}

export function sensitiveNeedles(sensitive: readonly string[] = []): SensitiveData {
  const sources: string[] = [];
  const needles = new Set<string>();
  for (const text of sensitive) {
    if (typeof text !== 'string') continue;
    const trimmed = text.trim();
    if (trimmed.length >= MIN_OVERLAP) sources.push(trimmed);
    if (trimmed.length >= 2) needles.add(trimmed);
    for (const word of trimmed.split(/[\s,.;:!?()[\]{}"'«»\-/]+/u)) {
      if (word.length >= MIN_WORD) needles.add(word);
    }
  }
  // Longest first, so a sentence is cut out whole before its words are.
  return { sources, needles: [...needles].sort((a, b) => b.length - a.length) };
}

/** Texts longer than this are cut before scrubbing (error messages are short; reports are capped anyway). */
const MAX_TEXT = 8_192;

/**
 * Replaces every run of 8+ characters that also occurs in one of `sources` (a truncated or
 * re-quoted slice of a message too). Linear: a set of the sources' 8-character windows.
 */
function redactOverlaps(text: string, grams: ReadonlySet<string>): string {
  if (grams.size === 0 || text.length < MIN_OVERLAP) return text;
  const covered = new Uint8Array(text.length);
  for (let i = 0; i + MIN_OVERLAP <= text.length; i += 1) {
    if (grams.has(text.slice(i, i + MIN_OVERLAP))) covered.fill(1, i, i + MIN_OVERLAP);
  }
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    if (!covered[i]) out += text[i];
    else if (i === 0 || !covered[i - 1]) out += REDACTED;
  }
  return out;
}

function gramsOf(sources: readonly string[]): Set<string> {
  const grams = new Set<string>();
  for (const source of sources) {
    const text = source.slice(0, MAX_TEXT);
    for (let i = 0; i + MIN_OVERLAP <= text.length; i += 1) grams.add(text.slice(i, i + MIN_OVERLAP));
  }
  return grams;
}

export function scrubText(text: string, sensitive: SensitiveData = { sources: [], needles: [] }): string {
  sensitive.grams ??= gramsOf(sensitive.sources);
  let out = redactOverlaps(text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text, sensitive.grams);
  for (const needle of sensitive.needles) {
    if (out.includes(needle)) out = out.split(needle).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return maskUrlPassword(out);
}

/** Keys of update and request payloads whose values are not personal (kept out of the needles). */
const NEUTRAL_KEYS = new Set([
  'type',
  'language_code',
  'mime_type',
  'file_id',
  'file_unique_id',
  'currency',
  'status',
  'parse_mode',
  'chat_type',
  'emoji',
]);

/** Every string leaf of a payload (an update, a request body, a job's data), minus neutral keys. */
export function stringsOf(value: unknown, limit = 200): string[] {
  const out: string[] = [];
  const walk = (node: unknown, key: string | undefined, depth: number) => {
    if (out.length >= limit || depth > 8 || node === null || node === undefined) return;
    if (typeof node === 'string') {
      if (!key || !NEUTRAL_KEYS.has(key)) out.push(node);
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) walk(item, key, depth + 1);
      return;
    }
    if (typeof node === 'object') {
      for (const [k, v] of Object.entries(node as Record<string, unknown>)) walk(v, k, depth + 1);
    }
  };
  walk(value, undefined, 0);
  return out;
}

/** A Sentry event, structurally (this module does not load the SDK). */
export interface ReportEvent {
  message?: string;
  logentry?: { message?: string; formatted?: string; params?: unknown[] };
  exception?: {
    values?: Array<{
      type?: string;
      value?: string;
      stacktrace?: { frames?: Array<Record<string, unknown>> };
    }>;
  };
  user?: unknown;
  request?: unknown;
  breadcrumbs?: unknown;
  extra?: unknown;
  server_name?: string;
  contexts?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  [key: string]: unknown;
}

const KEPT_CONTEXTS = new Set(['runtime', 'os', 'app', 'botloom', 'trace']);

/** Removes everything personal from an event (Sentry's beforeSend). */
export function scrubEvent<E extends ReportEvent>(event: E, sensitive: readonly string[] = []): E {
  const data = sensitiveNeedles(sensitive);
  const clean = (text: string | undefined) => (typeof text === 'string' ? scrubText(text, data) : text);
  delete event.user;
  delete event.request;
  delete event.breadcrumbs;
  delete event.extra;
  delete event.server_name;
  if (event.contexts) {
    for (const key of Object.keys(event.contexts)) if (!KEPT_CONTEXTS.has(key)) delete event.contexts[key];
  }
  event.message = clean(event.message);
  if (event.logentry) {
    event.logentry.message = clean(event.logentry.message);
    event.logentry.formatted = clean(event.logentry.formatted);
    delete event.logentry.params;
  }
  for (const value of event.exception?.values ?? []) {
    value.value = clean(value.value);
    for (const frame of value.stacktrace?.frames ?? []) delete frame.vars;
  }
  return event;
}
