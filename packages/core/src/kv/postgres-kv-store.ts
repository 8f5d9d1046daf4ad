import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import type pg from 'pg';
import { isCatalogRace } from '../db/catalog-race.js';

export const KV_TABLE = 'botloom_kv';

/**
 * A keyv store over a pg pool owned by the caller (the KV factory), in table `botloom_kv`.
 *
 * Why not @keyv/postgres: it keeps one module-global pool keyed by URL (a second URL in the
 * same process replaces it, and `disconnect()` then ends the wrong pool), it has no expiry
 * column (expired rows stay forever), and sharing one adapter between namespaces lets the
 * last namespace win for `clear()`. Here the pool is shared, each namespace gets its own small
 * adapter object, and `expires_at` lets a sweep remove expired rows.
 */
export class PostgresKvStore extends EventEmitter implements KeyvStoreAdapter {
  /** keyv looks at `opts.dialect` to decide whether the adapter can iterate. */
  readonly opts = { dialect: 'postgres', table: KV_TABLE };
  /** Set by keyv to the namespace of the Keyv instance that owns this adapter. */
  namespace?: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly ready: () => Promise<void>,
  ) {
    super();
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    await this.ready();
    return this.pool.query<R>(sql, values);
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const { rows } = await this.query<{ value: string }>(
      `SELECT value FROM ${KV_TABLE} WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())`,
      [key],
    );
    return rows[0]?.value as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const { rows } = await this.query<{ key: string; value: string }>(
      `SELECT key, value FROM ${KV_TABLE} WHERE key = ANY($1) AND (expires_at IS NULL OR expires_at > now())`,
      [keys],
    );
    const byKey = new Map(rows.map((row) => [row.key, row.value]));
    return keys.map((key) => byKey.get(key) as StoredData<Value | undefined>);
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const ttlMs = typeof ttl === 'number' && ttl > 0 ? Math.ceil(ttl) : null;
    await this.query(
      `INSERT INTO ${KV_TABLE} (key, value, expires_at)
       VALUES ($1, $2, CASE WHEN $3::bigint IS NULL THEN NULL ELSE now() + $3::bigint * interval '1 millisecond' END)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
      [key, String(value), ttlMs],
    );
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const result = await this.query(`DELETE FROM ${KV_TABLE} WHERE key = $1`, [key]);
    return (result.rowCount ?? 0) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    const result = await this.query(`DELETE FROM ${KV_TABLE} WHERE key = ANY($1)`, [keys]);
    return (result.rowCount ?? 0) > 0;
  }

  async has(key: string): Promise<boolean> {
    const { rowCount } = await this.query(
      `SELECT 1 FROM ${KV_TABLE} WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())`,
      [key],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Deletes this adapter's namespace only (every key when it has none). */
  async clear(): Promise<void> {
    await this.query(`DELETE FROM ${KV_TABLE} WHERE key LIKE $1 ESCAPE '\\'`, [
      prefixPattern(this.namespace),
    ]);
  }

  async *iterator<Value>(
    namespace?: string,
  ): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    const pageSize = 100;
    let after: string | null = null;
    while (true) {
      const { rows }: pg.QueryResult<{ key: string; value: string }> = await this.query(
        `SELECT key, value FROM ${KV_TABLE}
         WHERE key LIKE $1 ESCAPE '\\' AND ($2::text IS NULL OR key > $2) AND (expires_at IS NULL OR expires_at > now())
         ORDER BY key LIMIT $3`,
        [prefixPattern(namespace), after, pageSize],
      );
      for (const row of rows) yield [row.key, row.value as Awaited<Value>];
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]?.key ?? null;
    }
  }

  /** The pool belongs to the KV factory; closing one namespace must not close the others. */
  async disconnect(): Promise<void> {}
}

function prefixPattern(namespace: string | undefined): string {
  return namespace ? `${namespace.replace(/[\\%_]/g, '\\$&')}:%` : '%';
}

export async function ensureKvTable(pool: pg.Pool): Promise<void> {
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS ${KV_TABLE} (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      expires_at TIMESTAMPTZ
    )`);
    await pool.query(
      `CREATE INDEX IF NOT EXISTS ${KV_TABLE}_expires_at ON ${KV_TABLE} (expires_at) WHERE expires_at IS NOT NULL`,
    );
  } catch (error) {
    // Two processes creating the table at once: the table exists either way.
    if (!isCatalogRace(error)) throw error;
  }
}

/** Removes expired rows; returns how many. */
export async function sweepExpiredKv(pool: pg.Pool): Promise<number> {
  const result = await pool.query(
    `DELETE FROM ${KV_TABLE} WHERE expires_at IS NOT NULL AND expires_at <= now()`,
  );
  return result.rowCount ?? 0;
}

/**
 * Claims `key` (already prefixed with its namespace) for `ttlMs`: inserts it, or takes over a
 * row whose TTL has passed; returns false when a live row exists (including one without TTL).
 *
 * One statement, atomic under concurrency: a concurrent insert of the same key waits on the
 * unique index for the first transaction, then the conflict branch re-checks the WHERE against
 * the row that won; two takeovers of one expired row serialize on its row lock the same way.
 * The stored value is keyv's serialized `{ value: true, expires }` with the database clock, so
 * the namespace's Keyv reads the claim like its own entries.
 */
export async function claimPostgresKey(pool: pg.Pool, key: string, ttlMs: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO ${KV_TABLE} AS current (key, value, expires_at)
     SELECT $1, json_build_object('value', true, 'expires', floor(extract(epoch FROM claim.until) * 1000)::bigint)::text, claim.until
     FROM (SELECT now() + $2::bigint * interval '1 millisecond' AS until) AS claim
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
     WHERE current.expires_at IS NOT NULL AND current.expires_at <= now()
     RETURNING 1`,
    [key, ttlMs],
  );
  return (rowCount ?? 0) > 0;
}
