import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh, empty database on the run's PostgreSQL server (see global-setup.ts). Each test
 * file gets its own, so files can run in parallel.
 */
export async function createTestDatabase(prefix = 'botloom_test'): Promise<TestDatabase> {
  const adminUrl = inject('botloomAdminDatabaseUrl');
  if (!adminUrl) {
    throw new Error(
      "No test PostgreSQL: add globalSetup: ['@botloom/core/testing/global-setup'] to the test section of vitest.config",
    );
  }
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        // A pool's end() resolves before its connections have closed; forcing the drop then
        // sends those clients a FATAL that an ended pool reports as an unhandled 'error'. So
        // connections get a few seconds to close on their own, then the drop forces the rest.
        for (let waited = 0; waited < 5_000; waited += 50) {
          const { rows } = await client.query(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [name],
          );
          if (rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Redis URL for server-backed tests, or '' (tests should skip with a visible message). */
export function testRedisUrl(): string {
  return inject('botloomRedisUrl');
}
