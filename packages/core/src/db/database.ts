import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { Sequelize } from 'sequelize';
import { BootError } from '../errors/botloom-error.js';
import { isCatalogRace } from './catalog-race.js';
import { EMBEDDED_POSTGRES_PASSWORD, findFreePort, startEmbeddedPostgres } from './embedded-postgres.js';
import { runningEmbeddedPostgres } from './running-postgres.js';

export interface DatabaseHandle {
  sequelize: Sequelize;
  /** Connection URL of the app's database (for pg-boss, keyv...). Contains the password: never log it. */
  url: string;
  /** True when the app started its own embedded PostgreSQL. */
  embedded: boolean;
  /** The Unix socket directory `url` connects through (`host=` in its query), if any. */
  socketDir?: string;
  /** Closes the pool, then stops embedded PostgreSQL when it was started here. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** DATABASE_URL; unset = embedded PostgreSQL under `<dataDir>/postgres`. */
  url?: string;
  dataDir: string;
  logger: Logger;
  /** Connection attempts before giving up (a server that is still starting). Default 3. */
  connectAttempts?: number;
  /** Pool size; default 10. */
  poolMax?: number;
  /**
   * Embedded PostgreSQL already running on `<dataDir>/postgres` (an app is up): connect to it
   * as a client (the CLI) instead of refusing to boot. Either way its files are left alone.
   */
  attachToRunning?: boolean;
  /**
   * Embedded PostgreSQL also listens on a Unix socket in its data folder and the app connects
   * through it (TCP on 127.0.0.1 stays for other tools). Default: EMBEDDED_PG_SOCKET, else true.
   */
  embeddedSocket?: boolean;
}

export const EMBEDDED_DATABASE_NAME = 'botloom';

/**
 * A postgres URL as WHATWG `URL`, which refuses an empty host: libpq's socket form
 * `postgres://user@/db?host=/var/run/postgresql` is read as if its host were `localhost`.
 */
function parseDatabaseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    try {
      return new URL(url.replace(/^([a-z][a-z0-9+.-]*:\/\/(?:[^/@?#]*@)?)(?=[/?#]|$)/i, '$1localhost'));
    } catch {
      return undefined;
    }
  }
}

/** The Unix socket directory a URL names (`host=/dir` in its query), or undefined for TCP. */
export function databaseSocketDir(url: string): string | undefined {
  const host = parseDatabaseUrl(url)?.searchParams.get('host');
  return host?.startsWith('/') ? host : undefined;
}

/** `host:port/database` of a URL (the socket directory as host), for messages: never the user's password. */
export function describeDatabaseUrl(url: string): string {
  const u = parseDatabaseUrl(url);
  if (!u) return '(unparseable DATABASE_URL)';
  const host = u.searchParams.get('host') || u.hostname || 'localhost';
  return `${host}:${u.port || '5432'}${u.pathname || '/'}`;
}

/** Removes the password from a URL (for logs and errors). */
export function redactDatabaseUrl(url: string): string {
  const u = parseDatabaseUrl(url);
  if (!u) return '(unparseable DATABASE_URL)';
  if (u.password) u.password = '***';
  return u.toString();
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The embedded server keeps its port across restarts (stored next to the cluster) so that
 * tools pointed at it keep working; a port taken by someone else is replaced by a free one.
 */
async function choosePort(portFile: string): Promise<number> {
  const saved = Number.parseInt(await readFile(portFile, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(saved) && saved > 0 && saved < 65536 && (await isPortFree(saved))) return saved;
  return assignFreePort(portFile);
}

/** A free port, stored as the embedded server's port from now on. */
async function assignFreePort(portFile: string): Promise<number> {
  const port = await findFreePort();
  await writeFile(portFile, `${port}\n`);
  return port;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: unknown) => {
        // Another process created it between our check and our CREATE.
        if (!isCatalogRace(error)) throw error;
      });
    }
  } finally {
    await client.end();
  }
}

function withDatabaseName(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Opens the app's database: sequelize over pg, on DATABASE_URL or on an embedded
 * PostgreSQL that lives under `<dataDir>/postgres` and is reused across restarts.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const logger = options.logger;
  let url = options.url;
  let stopEmbedded: (() => Promise<void>) | undefined;

  const dataDir = path.resolve(options.dataDir);
  const running = url ? undefined : await runningEmbeddedPostgres(path.join(dataDir, 'postgres'));
  if (running && !options.attachToRunning) {
    throw new BootError(
      'DATABASE_IN_USE',
      `The embedded PostgreSQL of ${path.join(dataDir, 'postgres')} is already running (pid ${running.pid}, port ${running.port}), started by another process: stop that app first, or set DATABASE_URL`,
      { details: running },
    );
  }
  if (running) {
    // Someone else's server (the running app's): connect, never stop it, never touch its files.
    url = `postgres://postgres:${EMBEDDED_POSTGRES_PASSWORD}@127.0.0.1:${running.port}/${EMBEDDED_DATABASE_NAME}`;
    logger.info({ pid: running.pid, port: running.port }, 'connecting to the running embedded PostgreSQL');
  } else if (!url) {
    await mkdir(dataDir, { recursive: true });
    const portFile = path.join(dataDir, 'postgres.port');
    let port = await choosePort(portFile);
    let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
    // The port is free when chosen, but the cluster's first start (initdb) takes seconds, in
    // which another process can bind it: then a new free port, a few times.
    for (let attempt = 1; !embedded; attempt++) {
      logger.info({ dataDir: path.join(dataDir, 'postgres'), port }, 'starting embedded PostgreSQL');
      try {
        embedded = await startEmbeddedPostgres({
          dataDir: path.join(dataDir, 'postgres'),
          port,
          socket: options.embeddedSocket,
          onLog: (message) => logger.debug({ postgres: true }, String(message).trim()),
        });
      } catch (error) {
        const message = String((error as Error)?.message ?? error ?? 'no reason given').trim();
        if (attempt < 3 && /Address already in use/i.test(message)) {
          logger.warn({ port }, 'the embedded PostgreSQL port was taken meanwhile; trying another');
          port = await assignFreePort(portFile);
          continue;
        }
        throw new BootError(
          'DATABASE_UNREACHABLE',
          `Embedded PostgreSQL did not start in ${path.join(dataDir, 'postgres')} (port ${port}): ${message}${
            process.getuid?.() === 0
              ? ' (running as root, PostgreSQL runs as the "postgres" system user, which must be able to enter every parent folder of the data directory)'
              : ''
          }`,
          { cause: error },
        );
      }
    }
    stopEmbedded = embedded.stop;
    try {
      await ensureDatabase(embedded.url, EMBEDDED_DATABASE_NAME);
    } catch (error) {
      await embedded.stop().catch(() => {});
      throw new BootError(
        'DATABASE_UNREACHABLE',
        `Embedded PostgreSQL started but the "${EMBEDDED_DATABASE_NAME}" database could not be created: ${(error as Error).message}`,
        { cause: error },
      );
    }
    url = withDatabaseName(embedded.url, EMBEDDED_DATABASE_NAME);
  }

  const target = describeDatabaseUrl(url);
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    // The pg this module imports, not one sequelize requires by name: in a bundle (the reference
    // app's `npm start`) a by-name require loaded a second copy of pg from node_modules.
    dialectModule: pg,
    benchmark: true,
    logging: (sql: string, timingMs?: number) => logger.debug({ ms: timingMs }, sql),
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: 30_000, evict: 5_000 },
    dialectOptions: { connectionTimeoutMillis: 10_000, application_name: 'botloom' },
  });

  const attempts = Math.max(1, options.connectAttempts ?? 3);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await sequelize.authenticate({ logging: false });
      lastError = undefined;
      break;
    } catch (error) {
      lastError = error;
      if (attempt < attempts) {
        logger.warn({ attempt, target }, 'database not reachable yet, retrying');
        await sleep(500 * attempt);
      }
    }
  }
  if (lastError) {
    await sequelize.close().catch(() => {});
    await stopEmbedded?.().catch(() => {});
    const reason =
      (lastError as { parent?: Error; message?: string }).parent?.message ?? (lastError as Error).message;
    throw new BootError(
      'DATABASE_UNREACHABLE',
      running
        ? `The embedded PostgreSQL of ${path.join(dataDir, 'postgres')} runs (pid ${running.pid}, port ${running.port}) but did not accept a connection: ${reason}`
        : `Cannot connect to PostgreSQL at ${target}: ${reason}. Check DATABASE_URL, or unset it to use embedded PostgreSQL.`,
      { cause: lastError, details: { target } },
    );
  }
  logger.info({ target, embedded: Boolean(stopEmbedded) }, 'database connected');

  let closed: Promise<void> | undefined;
  return {
    sequelize,
    url,
    embedded: Boolean(stopEmbedded),
    socketDir: databaseSocketDir(url),
    close() {
      closed ??= (async () => {
        await sequelize.close();
        if (stopEmbedded) {
          await stopEmbedded();
          logger.info('embedded PostgreSQL stopped');
        }
      })();
      return closed;
    },
  };
}
