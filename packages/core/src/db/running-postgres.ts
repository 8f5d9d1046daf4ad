import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';

export interface RunningPostgres {
  pid: number;
  port: number;
}

/**
 * The PostgreSQL server that runs on `dataDir` now, from its `postmaster.pid` (line 1: pid,
 * line 4: port), or undefined when there is none or the file is left over from a crash (its
 * process gone, or its pid reused by a process that does not listen on the port).
 */
export async function runningEmbeddedPostgres(dataDir: string): Promise<RunningPostgres | undefined> {
  const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  return processAlive(pid) && (await listening(port)) ? { pid, port } : undefined;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the `postgres` user when running as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
