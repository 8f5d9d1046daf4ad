import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const coreDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('embedded PostgreSQL', () => {
  it('installs no signal handlers of its own: only the app decides how SIGINT/SIGTERM stop it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'botloom-embedded-'));
    await chmod(dir, 0o755);
    // A fresh process: listeners installed when the module loads must show up in the count.
    const script = `
      const { startEmbeddedPostgres } = await import('./src/index.ts').then(() => import('./src/db/embedded-postgres.ts'));
      const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(path.join(dir, 'pg'))} });
      const counts = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit'].map((e) => process.listenerCount(e));
      await server.stop();
      console.log(JSON.stringify(counts));
    `;
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--conditions=botloom-source', '--input-type=module', '-e', script],
        { cwd: coreDir, timeout: 60_000 },
      );
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual([0, 0, 0, 0]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
