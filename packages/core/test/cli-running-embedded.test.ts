/**
 * The CLI next to a running app on embedded PostgreSQL: `botloom admin:token` connects to the
 * app's server (its port from postmaster.pid) and leaves every file of the instance alone; a
 * second app on the same data folder is refused with a clear error instead of rewriting the
 * port file. The database is started by `openDatabase`, exactly as the app starts it.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../src/db/database.js';
import { quietLogger } from './helpers/quiet-logger.js';

const run = promisify(execFile);
// Each CLI call loads core from its sources under tsx: tens of seconds on a busy 2-core machine.
const CLI_TIMEOUT = 300_000;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
// Inside the repository so that the config's imports resolve from its node_modules.
const tmpBase = path.join(repoRoot, '.botloom-test');

let dir: string;
let dataDir: string;
let app: DatabaseHandle;
let portFileBefore: { text: string; mtimeMs: number };
let postmasterBefore: string;

const portFile = () => path.join(dataDir, 'postgres.port');
const postmasterFile = () => path.join(dataDir, 'postgres', 'postmaster.pid');

/** The CLI as a user runs it, in the app's folder, with no DATABASE_URL. */
async function cli(args: string[]) {
  const env = { ...process.env, NO_COLOR: '1' } as Record<string, string | undefined>;
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return run(process.execPath, [path.join(repoRoot, 'packages/core/bin/botloom.js'), ...args], {
    cwd: dir,
    env,
    timeout: CLI_TIMEOUT,
  });
}

beforeAll(async () => {
  await mkdir(tmpBase, { recursive: true });
  dir = await mkdtemp(path.join(tmpBase, 'cli-embedded-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user: it must enter the folder
  dataDir = path.join(dir, '.botloom');
  await writeFile(path.join(dir, 'botloom.config.js'), 'export default { plugins: [] };\n');
  app = await openDatabase({ dataDir, logger: quietLogger() });
  portFileBefore = { text: await readFile(portFile(), 'utf8'), mtimeMs: (await stat(portFile())).mtimeMs };
  postmasterBefore = await readFile(postmasterFile(), 'utf8');
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

async function expectInstanceUntouched() {
  expect(await readFile(portFile(), 'utf8')).toBe(portFileBefore.text);
  expect((await stat(portFile())).mtimeMs).toBe(portFileBefore.mtimeMs);
  expect(await readFile(postmasterFile(), 'utf8')).toBe(postmasterBefore);
}

describe('botloom CLI while the app runs on embedded PostgreSQL', () => {
  it(
    'creates and lists admin tokens in the running database',
    async () => {
      const created = await cli(['admin:token', 'create', '--name', 'ops', '--role', 'viewer']);
      expect(created.stdout).toMatch(/Created viewer token "ops"/);
      const listed = await cli(['admin:token', 'list']);
      expect(listed.stdout).toMatch(/viewer\s+active\s+ops/);

      // The token is in the app's own database, seen through the app's connection.
      const [rows] = await app.sequelize.query("SELECT name FROM core_admin_tokens WHERE name = 'ops'");
      expect(rows).toHaveLength(1);
      await expectInstanceUntouched();
      // The app's server still serves the app.
      await expect(app.sequelize.query('SELECT 1')).resolves.toBeDefined();
    },
    CLI_TIMEOUT,
  );

  it(
    'runs migrations against it and leaves it running',
    async () => {
      const migrated = await cli(['migrate', '--dry-run']);
      expect(migrated.stdout).toContain('No pending migrations');
      await expectInstanceUntouched();
      await expect(app.sequelize.query('SELECT 1')).resolves.toBeDefined();
    },
    CLI_TIMEOUT,
  );

  it('refuses a second app on the same data folder, naming the running server', async () => {
    await expect(openDatabase({ dataDir, logger: quietLogger() })).rejects.toMatchObject({
      code: 'DATABASE_IN_USE',
      message: expect.stringMatching(/already running \(pid \d+, port \d+\)/),
    });
    await expectInstanceUntouched();
  });
});
