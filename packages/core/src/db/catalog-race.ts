/**
 * SQLSTATEs of "it already exists": duplicate_table (also an index or sequence),
 * duplicate_object (a type, e.g. a table's row type), duplicate_database, duplicate_schema.
 */
const ALREADY_EXISTS = new Set(['42P07', '42710', '42P04', '42P06']);

/** What node-postgres reports; sequelize wraps it as `original` / `parent`. */
interface PgErrorFields {
  code?: string;
  constraint?: string;
  message?: string;
}

/**
 * True when `error` says another session created the same object at the same moment: a boot
 * step's `CREATE ... IF NOT EXISTS` (or "create if missing") lost a race, and the object exists
 * either way. `IF NOT EXISTS` only checks the catalog as this transaction sees it, so the loser
 * of two concurrent creates fails on the catalog's own unique index (23505 on `pg_type`,
 * `pg_class`, `pg_namespace`, `pg_database`...) or as "already exists" (42P07, 42710, 42P04,
 * 42P06). A unique violation on a user table is NOT a race: only catalog indexes (`pg_*`)
 * count.
 */
export function isCatalogRace(error: unknown): boolean {
  const fields = pgFields(error);
  if (!fields?.code) return false;
  if (ALREADY_EXISTS.has(fields.code)) return true;
  if (fields.code !== '23505') return false;
  const index = fields.constraint ?? /unique constraint "([^"]+)"/.exec(fields.message ?? '')?.[1] ?? '';
  return index.startsWith('pg_');
}

function pgFields(error: unknown): PgErrorFields | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as PgErrorFields & { original?: unknown; parent?: unknown };
  if (typeof e.code === 'string') return e;
  const inner = (e.original ?? e.parent) as PgErrorFields | undefined;
  return inner && typeof inner === 'object' && typeof inner.code === 'string' ? inner : null;
}
