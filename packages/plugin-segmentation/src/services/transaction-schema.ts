import { type Category, categoryFromMcc, categoryFromText } from './categories.js';

/** Canonical column names of an imported transaction file. */
export const TRANSACTION_FIELDS = [
  'card_id',
  'timestamp',
  'amount',
  'currency',
  'mcc',
  'category',
  'online',
  'city',
  'country',
] as const;
export type TransactionField = (typeof TRANSACTION_FIELDS)[number];

/** Required columns; at least one of `mcc` / `category` is required too. */
export const REQUIRED_FIELDS: TransactionField[] = [
  'card_id',
  'timestamp',
  'amount',
  'currency',
  'online',
  'city',
  'country',
];

/** Usual alternative names (lowercase) recognised without an explicit mapping. */
const FIELD_ALIASES: Record<TransactionField, string[]> = {
  card_id: ['card_id', 'cardid', 'card', 'client_id', 'customer_id', 'card_number'],
  timestamp: ['timestamp', 'ts', 'datetime', 'date', 'transaction_date', 'tx_time', 'time'],
  amount: ['amount', 'sum', 'amt', 'value', 'transaction_amount'],
  currency: ['currency', 'ccy', 'currency_code'],
  mcc: ['mcc', 'mcc_code', 'merchant_category_code'],
  category: ['category', 'merchant_category', 'cat'],
  online: ['online', 'is_online', 'channel', 'ecom', 'card_present'],
  city: ['city', 'merchant_city'],
  country: ['country', 'merchant_country', 'country_code'],
};

/** Map from canonical field to the file's column name (explicit mapping given by the user). */
export type ColumnMapping = Partial<Record<TransactionField, string>>;

/** A valid, normalised transaction ready for the database. */
export interface TransactionRow {
  cardId: string;
  ts: Date;
  amount: number;
  currency: string;
  amountBase: number;
  mcc: number | null;
  category: Category;
  online: boolean;
  city: string;
  country: string;
}

export interface BadRow {
  /** 1-based line of the file (CSV, header is line 1) or row number (Parquet, first row is 1). */
  line: number;
  column: string;
  reason: string;
  value?: string;
}

export interface ValidationLimits {
  fxRates: Record<string, number>;
  maxAmount: number;
  /** Latest acceptable timestamp (now plus a small clock skew). */
  latest: Date;
  earliest: Date;
}

export class ColumnResolution {
  constructor(
    /** Canonical field → the file's column name. */
    readonly columns: Partial<Record<TransactionField, string>>,
    readonly missing: string[],
  ) {}
}

/** Matches the file's header to the canonical fields: explicit mapping first, then aliases. */
export function resolveColumns(header: string[], mapping: ColumnMapping = {}): ColumnResolution {
  const byLower = new Map(header.map((name) => [name.trim().toLowerCase(), name]));
  const columns: Partial<Record<TransactionField, string>> = {};
  const missing: string[] = [];
  for (const field of TRANSACTION_FIELDS) {
    const explicit = mapping[field];
    if (explicit !== undefined) {
      const found = byLower.get(explicit.trim().toLowerCase());
      if (found === undefined) missing.push(`${field} (mapped to "${explicit}")`);
      else columns[field] = found;
      continue;
    }
    const alias = FIELD_ALIASES[field].find((name) => byLower.has(name));
    if (alias !== undefined) columns[field] = byLower.get(alias);
  }
  for (const field of REQUIRED_FIELDS) {
    if (columns[field] === undefined && !missing.some((m) => m.startsWith(`${field} `))) missing.push(field);
  }
  if (columns.mcc === undefined && columns.category === undefined) missing.push('mcc or category');
  return new ColumnResolution(columns, missing);
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'online', 'ecom', 'internet', 'да']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'offline', 'pos', 'store', 'нет']);

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value).trim();
}

function parseTimestamp(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'number') return new Date(value > 1e11 ? value : value * 1000);
  const raw = text(value);
  if (raw === '') return null;
  if (/^\d{9,13}$/.test(raw)) return parseTimestamp(Number(raw));
  // ISO 8601 date or date-time (a space instead of the T is accepted); no zone means UTC.
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
    raw,
  );
  if (!match) return null;
  const iso = `${match[1]}T${match[2] ?? '00:00:00'}${match[3] ?? 'Z'}`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function parseAmount(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  const raw = text(value).replace(/\s/g, '');
  if (!/^[+-]?(\d+([.,]\d+)?|[.,]\d+)$/.test(raw)) return null;
  return Number(raw.replace(',', '.'));
}

function parseOnline(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  const raw = text(value).toLowerCase();
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  return null;
}

/**
 * Validates one raw record (values keyed by the file's column names). Returns the normalised
 * row, or every problem of the record (so the report shows them all at once).
 */
export function validateRecord(
  record: Record<string, unknown>,
  line: number,
  resolution: ColumnResolution,
  limits: ValidationLimits,
): { row: TransactionRow } | { errors: BadRow[] } {
  const errors: BadRow[] = [];
  const cols = resolution.columns;
  const get = (field: TransactionField) =>
    cols[field] === undefined ? undefined : record[cols[field] as string];
  const bad = (field: TransactionField, reason: string, value: unknown) =>
    errors.push({ line, column: cols[field] ?? field, reason, value: text(value).slice(0, 100) });

  const cardId = text(get('card_id'));
  if (cardId === '') bad('card_id', 'empty', '');
  else if (cardId.length > 64) bad('card_id', 'longer than 64 characters', cardId);

  const ts = parseTimestamp(get('timestamp'));
  if (ts === null) bad('timestamp', 'not an ISO 8601 date/time or epoch', get('timestamp'));
  else if (ts > limits.latest) bad('timestamp', 'in the future', get('timestamp'));
  else if (ts < limits.earliest)
    bad('timestamp', `before ${limits.earliest.toISOString().slice(0, 10)}`, get('timestamp'));

  const currency = text(get('currency')).toUpperCase();
  const rate = limits.fxRates[currency];
  if (!/^[A-Z]{3}$/.test(currency)) bad('currency', 'not a 3-letter currency code', get('currency'));
  else if (rate === undefined) bad('currency', 'unknown currency (no exchange rate configured)', currency);

  const amount = parseAmount(get('amount'));
  let amountBase = 0;
  if (amount === null || !Number.isFinite(amount)) bad('amount', 'not a number', get('amount'));
  else if (amount <= 0) bad('amount', 'not positive', get('amount'));
  else if (rate !== undefined) {
    amountBase = Math.round(amount * rate * 100) / 100;
    if (amountBase > limits.maxAmount)
      bad('amount', `above the plausible maximum (${limits.maxAmount})`, get('amount'));
  }

  let mcc: number | null = null;
  let category: Category | undefined;
  const rawMcc = text(get('mcc'));
  if (rawMcc !== '') {
    if (!/^\d{1,4}$/.test(rawMcc)) bad('mcc', 'not a 4-digit merchant category code', rawMcc);
    else {
      mcc = Number(rawMcc);
      category = categoryFromMcc(mcc);
    }
  }
  const rawCategory = text(get('category'));
  if (rawCategory !== '') category = categoryFromText(rawCategory) ?? category ?? 'other';
  if (rawMcc === '' && rawCategory === '')
    bad(cols.mcc ? 'mcc' : 'category', 'neither mcc nor category given', '');

  const online = parseOnline(get('online'));
  if (online === null) bad('online', 'not a boolean (true/false, 1/0, yes/no)', get('online'));

  const city = text(get('city'));
  if (city === '') bad('city', 'empty', '');
  else if (city.length > 100) bad('city', 'longer than 100 characters', city);

  const country = text(get('country')).toUpperCase();
  if (!/^[A-Z]{2,3}$/.test(country))
    bad('country', 'not an ISO country code (2 or 3 letters)', get('country'));

  if (errors.length > 0) return { errors };
  return {
    row: {
      cardId,
      ts: ts as Date,
      amount: amount as number,
      currency,
      amountBase,
      mcc,
      category: category ?? 'other',
      online: online as boolean,
      city,
      country,
    },
  };
}
