import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { QueryTypes } from 'sequelize';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDatabaseUrl, openDatabase } from '../src/db/database.js';
import { BootError } from '../src/errors/botloom-error.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';

const logger = pino({ level: 'silent' });

describe('openDatabase', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('connects sequelize to DATABASE_URL', async () => {
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    const handle = await openDatabase({ url: db.url, dataDir: '/nonexistent-not-used', logger });
    try {
      expect(handle.embedded).toBe(false);
      expect(handle.url).toBe(db.url);
      const [row] = await handle.sequelize.query<{ name: string }>('SELECT current_database() AS name', {
        type: QueryTypes.SELECT,
      });
      expect(row?.name).toBe(db.name);
    } finally {
      await handle.close();
    }
  });

  it('fails with DATABASE_UNREACHABLE naming host and database but not the password', async () => {
    const error = await openDatabase({
      url: 'postgres://someone:sup3r-s3cret@127.0.0.1:1/shopdb',
      dataDir: '/nonexistent-not-used',
      logger,
      connectAttempts: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BootError);
    expect((error as BootError).code).toBe('DATABASE_UNREACHABLE');
    expect((error as Error).message).toContain('127.0.0.1:1/shopdb');
    expect((error as Error).message).not.toContain('sup3r-s3cret');
    expect(describeDatabaseUrl('postgres://u:p@db.example:6543/app')).toBe('db.example:6543/app');
  });

  it('starts embedded PostgreSQL under <dataDir>/postgres and keeps data and port across restarts', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-db-'));
    // mkdtemp makes a 0700 folder; as root, PostgreSQL runs as the postgres user and must enter it.
    await chmod(dataDir, 0o755);
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    const first = await openDatabase({ dataDir, logger });
    try {
      expect(first.embedded).toBe(true);
      expect(new URL(first.url).pathname).toBe('/botloom');
      await first.sequelize.query("CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('hello')");
    } finally {
      await first.close();
    }
    const port = Number.parseInt(await readFile(path.join(dataDir, 'postgres.port'), 'utf8'), 10);
    expect(new URL(first.url).port).toBe(String(port));

    const second = await openDatabase({ dataDir, logger });
    try {
      expect(new URL(second.url).port).toBe(String(port));
      const rows = await second.sequelize.query<{ v: string }>('SELECT v FROM kept', {
        type: QueryTypes.SELECT,
      });
      expect(rows).toEqual([{ v: 'hello' }]);
    } finally {
      await second.close();
    }
  });
});
