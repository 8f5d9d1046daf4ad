import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { openDatabase } from '../../src/db/database.js';

export interface ScratchDatabase {
  url: string;
  /** Its name on the server (pg_stat_database.datname). */
  name: string;
  close(): Promise<void>;
}

/**
 * A database for one benchmark run: a fresh database on DATABASE_URL's or TEST_DATABASE_URL's
 * server (dropped by `close()`), else an embedded PostgreSQL in a temporary directory.
 */
export async function scratchDatabase(
  prefix = 'botloom_bench',
  /** Embedded only: also over its Unix socket (default: EMBEDDED_PG_SOCKET, else true). */
  options: { socket?: boolean } = {},
): Promise<ScratchDatabase> {
  const serverUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const name = `${prefix}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      name,
      async close() {
        const client = new pg.Client({ connectionString: serverUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), `${prefix}-`));
  // mkdtemp makes a 0700 folder; as root, PostgreSQL runs as the postgres user and must enter it.
  await chmod(dataDir, 0o755);
  const handle = await openDatabase({
    dataDir,
    logger: pino({ level: 'silent' }),
    embeddedSocket: options.socket,
  });
  return {
    url: handle.url,
    name: new URL(handle.url).pathname.slice(1),
    async close() {
      await handle.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
