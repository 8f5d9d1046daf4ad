import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as root from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { FakeBotApi } from './support/fake-bot-api.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let db: TestDatabase;
let api: FakeBotApi;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  api = await new FakeBotApi().start();
  dir = await mkdtemp(path.join(tmpdir(), 'botloom-lean-'));
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './test/support/register-loaded-modules.mjs',
        '--conditions=botloom-source',
        script,
      ],
      {
        cwd: packageDir,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('a lean public surface', () => {
  it('a production app (TELEGRAM_BOT_TOKEN set) never loads the sandbox emulator', async () => {
    const log = path.join(dir, 'loaded.txt');
    const { code, output } = await run('test/support/production-app.ts', {
      LOADED_MODULES_LOG: log,
      DATABASE_URL: db.url,
      KV_URL: 'memory://',
      PORT: '0',
      HOST: '127.0.0.1',
      BOTLOOM_DATA_DIR: dir,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
    });
    expect(output).toContain('DONE');
    expect(code).toBe(0);
    const loaded = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
    // Sanity: the hook saw core being loaded at all.
    expect(loaded.some((url) => url.endsWith('/src/app/create-app.ts'))).toBe(true);
    const sandboxModules = loaded.filter(
      (url) => url.includes('/src/sandbox/') && !url.endsWith('/src/sandbox/control-access.ts'),
    );
    expect(sandboxModules).toEqual([]);
    expect(loaded.some((url) => url.includes('/src/testing/'))).toBe(false);
  });

  it('the root export is the plugin author API, without runtime internals', () => {
    for (const internal of [
      'createAiServices',
      'llmAdminRoutes',
      'AdminTokenService',
      'loadPlugins',
      'runCli',
      'scaffoldPlugin',
      'createEventBus',
      'createLogger',
    ]) {
      expect(root, internal).not.toHaveProperty(internal);
    }
    for (const authorApi of [
      'definePlugin',
      'createServiceRef',
      'coreServices',
      'createApp',
      'NotFoundError',
    ]) {
      expect(root, authorApi).toHaveProperty(authorApi);
    }
  });
});
