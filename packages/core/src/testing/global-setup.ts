import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../db/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL used to create one database per test file. */
    botloomAdminDatabaseUrl: string;
    botloomRedisUrl: string;
  }
}

/**
 * Vitest global setup: a PostgreSQL server for the whole run. TEST_DATABASE_URL points at
 * an existing server (CI uses the machine's PostgreSQL); otherwise an embedded PostgreSQL
 * is started in a temporary folder and removed afterwards.
 */
export default async function setup(project: TestProject) {
  project.provide('botloomRedisUrl', process.env.TEST_REDIS_URL ?? '');
  if (process.env.TEST_DATABASE_URL) {
    project.provide('botloomAdminDatabaseUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const dir = path.resolve('.botloom-test', `pg-${process.pid}`);
  const pg = await startEmbeddedPostgres({ dataDir: dir });
  project.provide('botloomAdminDatabaseUrl', pg.url);
  return async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
