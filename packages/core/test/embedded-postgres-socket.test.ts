/**
 * Embedded PostgreSQL over a Unix socket: the app's connections (sequelize, pg-boss, the KV
 * pool) go through the socket in the data folder, TCP on 127.0.0.1 stays for other tools, a
 * data folder too deep for a socket path falls back to TCP, and a socket lock left by a killed
 * server does not block the next start. Also: a server DATABASE_URL on a socket directory.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { QueryTypes } from 'sequelize';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app/create-app.js';
import { describeDatabaseUrl, openDatabase } from '../src/db/database.js';
import {
  EMBEDDED_POSTGRES_PASSWORD,
  embeddedSocketDir,
  postgresSocketPath,
  startEmbeddedPostgres,
} from '../src/db/embedded-postgres.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import { Tokens } from '../src/tokens.js';
import { quietLogger } from './helpers/quiet-logger.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  // mkdtemp makes a 0700 folder; as root, PostgreSQL runs as the postgres user and must enter it.
  await chmod(dir, 0o755);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Where the server says this connection comes in: null over a Unix socket. */
async function serverAddress(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ addr: string | null }>('SELECT host(inet_server_addr()) AS addr')).rows[0]!
      .addr;
  } finally {
    await client.end();
  }
}

/** The uid/gid the cluster runs as: the `postgres` user when we are root, else ourselves. */
function clusterUser(): { uid: number; gid: number } {
  if (process.getuid?.() !== 0) return { uid: process.getuid!(), gid: process.getgid!() };
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

describe('embedded PostgreSQL over a Unix socket', () => {
  it('the app connects through the socket (sequelize, pg-boss, KV), and TCP on 127.0.0.1 still serves tools', async () => {
    const dir = await tempDir('botloom-sock-');
    const dataDir = path.join(dir, 'data');
    const plugin = definePlugin({
      id: 'sockcheck',
      version: '1.0.0',
      core: '^0.1.0',
      // A job, so that pg-boss's workers hold connections of their own.
      jobs: [{ name: 'noop', handler: async () => {} }],
      start: async ({ resolve }) => {
        await resolve(Tokens.Kv).set('touched', true);
      },
    });
    const app = createApp({
      plugins: [plugin],
      config: { PORT: 0, HOST: '127.0.0.1', BOTLOOM_DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: 15_000 },
      env: {},
      dotenv: false,
      logger: quietLogger(),
    });
    await app.start();
    try {
      const port = Number.parseInt(await readFile(path.join(dataDir, 'postgres.port'), 'utf8'), 10);
      expect(existsSync(postgresSocketPath(path.join(dataDir, 'postgres'), port))).toBe(true);
      const sequelize = app.resolver()(Tokens.Database);
      const connections = () =>
        sequelize.query<{ name: string; port: number | null }>(
          `SELECT application_name AS name, client_port AS port FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'`,
          { type: QueryTypes.SELECT },
        );
      // pg-boss connects on its own schedule: wait until its connections are there.
      await expect
        .poll(async () => (await connections()).some((c) => c.name === 'botloom-jobs'), {
          timeout: 60_000,
          interval: 200,
        })
        .toBe(true);
      const seen = await connections();
      expect(seen.map((c) => c.name)).toEqual(
        expect.arrayContaining(['botloom', 'botloom-jobs', 'botloom-kv']),
      );
      // client_port is -1 for a Unix socket connection.
      expect(seen.filter((c) => c.port !== -1)).toEqual([]);

      // Other tools (the CLI next to a running app) still reach it over TCP by its port.
      expect(
        await serverAddress(`postgres://postgres:${EMBEDDED_POSTGRES_PASSWORD}@127.0.0.1:${port}/botloom`),
      ).toBe('127.0.0.1');
    } finally {
      await app.stop();
    }
  }, 180_000);

  it('EMBEDDED_PG_SOCKET=false: TCP only, no socket file', async () => {
    const dir = await tempDir('botloom-sock-');
    const handle = await openDatabase({ dataDir: dir, logger: quietLogger(), embeddedSocket: false });
    cleanups.push(() => handle.close());
    expect(handle.socketDir).toBeUndefined();
    expect(new URL(handle.url).hostname).toBe('127.0.0.1');
    expect(await serverAddress(handle.url)).toBe('127.0.0.1');
    const port = Number.parseInt(await readFile(path.join(dir, 'postgres.port'), 'utf8'), 10);
    expect(existsSync(postgresSocketPath(path.join(dir, 'postgres'), port))).toBe(false);
  }, 120_000);

  it('falls back to TCP when the socket path would be too long for a socket address', async () => {
    expect(embeddedSocketDir('/srv/bot/.botloom/postgres', 54321)).toBe('/srv/bot/.botloom/postgres');
    expect(embeddedSocketDir(`/srv/${'x'.repeat(100)}/postgres`, 54321)).toBeUndefined();

    const dir = await tempDir('botloom-sock-');
    const deep = path.join(dir, 'd'.repeat(Math.max(8, 120 - dir.length)));
    await mkdir(deep, { recursive: true, mode: 0o755 });
    const handle = await openDatabase({ dataDir: deep, logger: quietLogger() });
    cleanups.push(() => handle.close());
    expect(handle.socketDir).toBeUndefined();
    expect(await serverAddress(handle.url)).toBe('127.0.0.1');
  }, 120_000);

  it('starts again after a kill -9 whose socket lock names a pid now used by another live process', async () => {
    const dir = path.join(await tempDir('botloom-sock-'), 'pg');
    const first = await startEmbeddedPostgres({ dataDir: dir });
    expect(first.socketDir).toBe(dir);
    expect(await serverAddress(first.url)).toBeNull();
    const postmasterPid = Number.parseInt(
      (await readFile(path.join(dir, 'postmaster.pid'), 'utf8')).split('\n')[0]!,
      10,
    );
    // kill -9 of the server and its backends (its own process group), as a crash or an OOM kill would.
    process.kill(-postmasterPid, 'SIGKILL');
    await expect
      .poll(
        () => {
          try {
            process.kill(-postmasterPid, 0);
            return 'alive';
          } catch {
            return 'gone';
          }
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe('gone');
    await first.stop();
    const lockFile = `${postgresSocketPath(dir, first.port)}.lock`;
    expect(existsSync(lockFile)).toBe(true);

    // The pid in the lock now belongs to a live process of the cluster's user (pid reuse):
    // PostgreSQL alone would refuse ("Is another postmaster using socket file?").
    const user = clusterUser();
    const squatter: ChildProcess = spawn('sleep', ['600'], { ...user, stdio: 'ignore' });
    cleanups.push(async () => squatter.kill('SIGKILL'));
    const lock = (await readFile(lockFile, 'utf8')).split('\n');
    lock[0] = String(squatter.pid);
    await writeFile(lockFile, lock.join('\n'));
    await chown(lockFile, user.uid, user.gid);

    const second = await startEmbeddedPostgres({ dataDir: dir, port: first.port });
    cleanups.push(() => second.stop());
    expect(second.socketDir).toBe(dir);
    expect(await serverAddress(second.url)).toBeNull();
  }, 120_000);
});

describe('DATABASE_URL on a Unix socket directory', () => {
  const systemSocketDir = '/var/run/postgresql';
  it.skipIf(!existsSync(path.join(systemSocketDir, '.s.PGSQL.5432')))(
    'connects through it (libpq form: empty host, host= in the query)',
    async () => {
      const url = `postgres://postgres@/postgres?host=${systemSocketDir}`;
      expect(describeDatabaseUrl(url)).toBe(`${systemSocketDir}:5432/postgres`);
      const handle = await openDatabase({ url, dataDir: '/nonexistent-not-used', logger: quietLogger() });
      try {
        expect(handle.embedded).toBe(false);
        expect(handle.socketDir).toBe(systemSocketDir);
        const [row] = await handle.sequelize.query<{ addr: string | null }>(
          'SELECT host(inet_server_addr()) AS addr',
          { type: QueryTypes.SELECT },
        );
        expect(row!.addr).toBeNull();
      } finally {
        await handle.close();
      }
      expect(await serverAddress(url)).toBeNull();
    },
  );
});
