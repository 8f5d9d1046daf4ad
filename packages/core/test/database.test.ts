import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
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

  it('takes a new port, and keeps it, when its port is bound by someone else while the cluster starts', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-db-'));
    await chmod(dataDir, 0o755);
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // Another program binds the chosen port right after the choice (initdb then runs for
    // seconds before PostgreSQL binds it), as a parallel test did in CI.
    const squatters: Server[] = [];
    cleanups.push(async () => {
      for (const server of squatters) await new Promise((resolve) => server.close(resolve));
    });
    const tried: number[] = [];
    const watching = pino(
      {
        level: 'info',
        hooks: {
          logMethod(args, method) {
            const [fields, message] = args as unknown as [{ port?: number }, string];
            if (message === 'starting embedded PostgreSQL' && fields.port !== undefined) {
              tried.push(fields.port);
              if (tried.length === 1) {
                const squatter = createServer();
                squatter.listen(fields.port, '127.0.0.1');
                squatters.push(squatter);
              }
            }
            return method.apply(this, args);
          },
        },
      },
      pino.destination({ dest: '/dev/null', sync: true }),
    );
    const handle = await openDatabase({ dataDir, logger: watching });
    try {
      expect(tried).toHaveLength(2);
      expect(tried[1]).not.toBe(tried[0]);
      expect(new URL(handle.url).port).toBe(String(tried[1]));
      const [row] = await handle.sequelize.query<{ ok: number }>('SELECT 1 AS ok', {
        type: QueryTypes.SELECT,
      });
      expect(row?.ok).toBe(1);
    } finally {
      await handle.close();
    }
    expect(Number.parseInt(await readFile(path.join(dataDir, 'postgres.port'), 'utf8'), 10)).toBe(tried[1]);
  });
});
