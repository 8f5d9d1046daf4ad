/**
 * Which embedded PostgreSQL runs on a data folder now: a `postmaster.pid` left by a crash (its
 * process gone, or its pid now someone else's that does not listen on the port) is not one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../src/db/embedded-postgres.js';
import { runningEmbeddedPostgres } from '../src/db/running-postgres.js';

let dir: string | undefined;
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function postmasterPid(pid: number, port: number): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), 'botloom-postmaster-'));
  await writeFile(
    path.join(dir, 'postmaster.pid'),
    `${pid}\n${dir}\n1700000000\n${port}\n\n127.0.0.1\n  1 2\nready\n`,
  );
  return dir;
}

describe('runningEmbeddedPostgres', () => {
  it('finds a live process listening on the port of postmaster.pid', async () => {
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    expect(await runningEmbeddedPostgres(await postmasterPid(process.pid, port))).toEqual({
      pid: process.pid,
      port,
    });
  });

  it('ignores a postmaster.pid whose process is gone, or that does not listen', async () => {
    const port = await findFreePort();
    // 2^22 + 1: above any pid Linux (pid_max <= 2^22) or macOS gives, so no such process.
    expect(await runningEmbeddedPostgres(await postmasterPid(4_194_305, port))).toBeUndefined();
    await rm(dir!, { recursive: true, force: true });
    expect(await runningEmbeddedPostgres(await postmasterPid(process.pid, port))).toBeUndefined();
  });

  it('finds nothing without a postmaster.pid', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'botloom-postmaster-'));
    expect(await runningEmbeddedPostgres(dir)).toBeUndefined();
  });
});
