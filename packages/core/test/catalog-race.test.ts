import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCatalogRace } from '../src/db/catalog-race.js';
import { ensureWindowTable, WINDOW_TABLE } from '../src/kv/kv-window.js';
import { ensureKvTable, KV_TABLE } from '../src/kv/postgres-kv-store.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';

let database: TestDatabase;
const clients: pg.Client[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
  await database?.drop();
});

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  clients.push(c);
  return c;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

/**
 * Two sessions create `table` at once, the loser's way: the winner's CREATE is still
 * uncommitted when `create` runs on another connection, which then waits on the catalog's
 * unique index; the winner commits, and `create` settles. Waits for the lock by polling
 * pg_stat_activity (no sleep racing the work).
 */
async function loseCreateRace<T>(table: string, create: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const winner = await client();
  const watcher = await client();
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  try {
    const pid = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await winner.query('BEGIN');
    await winner.query(`CREATE TABLE ${table} (key TEXT PRIMARY KEY)`);
    let settled = false;
    const loser = create(pool).finally(() => {
      settled = true;
    });
    loser.catch(() => {}); // awaited below; not unhandled if the wait fails first
    const backend = pid.rows[0]?.pid;
    for (;;) {
      const { rows } = await watcher.query('SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', [
        backend,
      ]);
      if (rows[0]?.wait_event_type === 'Lock') break;
      // Finished without waiting for the winner: that is no race, and would prove nothing.
      if (settled) throw new Error('the second CREATE did not wait for the first');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await winner.query('COMMIT');
    return await loser;
  } finally {
    await pool.end();
  }
}

describe('isCatalogRace', () => {
  it('is the loser of two concurrent CREATE ... IF NOT EXISTS: 23505 on pg_type', async () => {
    const error = await loseCreateRace('race_probe', (pool) =>
      errorOf(pool.query('CREATE TABLE IF NOT EXISTS race_probe (key TEXT PRIMARY KEY)')),
    );
    expect(error).toMatchObject({ code: '23505', table: 'pg_type' });
    expect(isCatalogRace(error)).toBe(true);
  });

  it('is "already exists": a table (42P07), a type (42710), a database (42P04)', async () => {
    const c = await client();
    await c.query('CREATE TABLE twice (k int)');
    const table = await errorOf(c.query('CREATE TABLE twice (k int)'));
    await c.query('CREATE TYPE pair AS (a int, b int)');
    const type = await errorOf(c.query('CREATE TYPE pair AS (a int, b int)'));
    const db = await errorOf(c.query(`CREATE DATABASE "${database.name}"`));
    expect([table, type, db].map((e) => (e as { code?: string }).code)).toEqual(['42P07', '42710', '42P04']);
    for (const error of [table, type, db]) expect(isCatalogRace(error)).toBe(true);
  });

  it('is not a unique violation on a user table, nor any other failure', async () => {
    const c = await client();
    await c.query('CREATE TABLE uniq (k int PRIMARY KEY)');
    await c.query('INSERT INTO uniq VALUES (1)');
    const duplicate = await errorOf(c.query('INSERT INTO uniq VALUES (1)'));
    expect(duplicate).toMatchObject({ code: '23505' });
    expect(isCatalogRace(duplicate)).toBe(false);
    expect(isCatalogRace(await errorOf(c.query('SELECT * FROM missing_table')))).toBe(false);
    expect(isCatalogRace(new Error('connection refused'))).toBe(false);
    expect(isCatalogRace(undefined)).toBe(false);
    expect(isCatalogRace('42P07')).toBe(false);
  });

  it('sees through sequelize, which wraps the driver error as original/parent', () => {
    const pgError = { code: '23505', constraint: 'pg_class_relname_nsp_index' };
    expect(
      isCatalogRace({ name: 'SequelizeUniqueConstraintError', original: pgError, parent: pgError }),
    ).toBe(true);
    expect(isCatalogRace({ original: { code: '23505', constraint: 'users_pkey' } })).toBe(false);
  });

  it('lets the KV and rate-window tables be created by two processes at once', async () => {
    await expect(loseCreateRace(KV_TABLE, ensureKvTable)).resolves.toBeUndefined();
    await expect(loseCreateRace(WINDOW_TABLE, ensureWindowTable)).resolves.toBeUndefined();
    const c = await client();
    const { rows } = await c.query('SELECT to_regclass($1)::text AS kv, to_regclass($2)::text AS windows', [
      KV_TABLE,
      WINDOW_TABLE,
    ]);
    expect(rows[0]).toEqual({ kv: KV_TABLE, windows: WINDOW_TABLE });
  });
});
