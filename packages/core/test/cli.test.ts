import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { quietLogger } from './helpers/quiet-logger.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

// Temporary folders live inside the repository so that `@botloom/core`, zod and friends
// resolve from its node_modules, as they would in a real workspace.
const tmpBase = path.join(repoRoot, '.botloom-test');

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  await mkdir(tmpBase, { recursive: true });
  dir = await mkdtemp(path.join(tmpBase, 'cli-'));
  await writeFile(
    path.join(dir, 'botloom.config.js'),
    `import { definePlugin, secret } from '@botloom/core';
import { z } from 'zod';

const notes = definePlugin({
  id: 'notes',
  version: '1.2.3',
  core: '^0.1.0',
  dependsOn: ['audit'],
  config: z.object({
    apiToken: secret(z.string().min(3).describe('Token of the notes API')),
    pageSize: z.number().int().min(1).default(20).describe('Notes per page'),
  }),
  commands: [{ command: 'notes', description: { en: 'Your notes', ru: 'Ваши заметки' } }],
  migrations: [
    { name: '0001-create', up: async ({ queryInterface, transaction }) => {
        await queryInterface.sequelize.query('CREATE TABLE notes_items (id int)', { transaction });
      },
      down: async ({ queryInterface, transaction }) => {
        await queryInterface.sequelize.query('DROP TABLE notes_items', { transaction });
      } },
    { name: '0002-add-text', up: async ({ queryInterface, transaction }) => {
        await queryInterface.sequelize.query('ALTER TABLE notes_items ADD COLUMN body text', { transaction });
      },
      down: async ({ queryInterface, transaction }) => {
        await queryInterface.sequelize.query('ALTER TABLE notes_items DROP COLUMN body', { transaction });
      } },
  ],
});
const audit = definePlugin({ id: 'audit', version: '0.1.0', core: '^0.1.0' });

export default { plugins: [notes, audit], config: { KV_URL: 'memory://' } };
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    cwd: dir,
    env: { DATABASE_URL: db.url, BOTLOOM_DATA_DIR: path.join(dir, 'data'), ...env },
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    logger: quietLogger(),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('botloom CLI', () => {
  it('config:check prints the settings table with secrets masked', async () => {
    const result = await cli(['config:check'], {
      BOTLOOM_NOTES_API_TOKEN: 'tok-very-secret',
      TELEGRAM_BOT_TOKEN: '42:also-secret',
    });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/notes\s+apiToken\s+BOTLOOM_NOTES_API_TOKEN\s+\*{8}/);
    expect(result.out).toMatch(
      /notes\s+pageSize\s+BOTLOOM_NOTES_PAGE_SIZE\s+20\s+20\s+default\s+Notes per page/,
    );
    expect(result.out).toMatch(/core\s+TELEGRAM_BOT_TOKEN/);
    expect(result.out).not.toContain('tok-very-secret');
    expect(result.out).not.toContain('also-secret');
  });

  it('config:check prints every configuration error at once and fails', async () => {
    const result = await cli(['config:check'], { BOTLOOM_NOTES_PAGE_SIZE: '0', PORT: 'x' });
    expect(result.code).toBe(1);
    expect(result.err).toContain('notes: apiToken (BOTLOOM_NOTES_API_TOKEN): Required');
    expect(result.err).toContain('notes: pageSize (BOTLOOM_NOTES_PAGE_SIZE)');
    expect(result.err).toContain('core: PORT (PORT)');
  });

  it('plugins lists plugins in load order', async () => {
    const result = await cli(['plugins'], { BOTLOOM_NOTES_API_TOKEN: 'abc' });
    expect(result.code).toBe(0);
    expect(result.out.indexOf('audit@0.1.0')).toBeLessThan(
      result.out.indexOf('notes@1.2.3 (depends on audit)'),
    );
    expect(result.out).toContain('commands: /notes');
  });

  it('migrate --dry-run, migrate and migrate:down', async () => {
    const env = { BOTLOOM_NOTES_API_TOKEN: 'abc' };
    const dry = await cli(['migrate', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('notes:0001-create');
    expect(dry.out).toContain('notes:0002-add-text');

    const up = await cli(['migrate'], env);
    expect(up.code).toBe(0);
    expect(up.out).toMatch(/Applied:[\s\S]*notes:0001-create[\s\S]*notes:0002-add-text/);
    expect((await cli(['migrate', '--dry-run'], env)).out).toBe('No pending migrations');

    const down = await cli(['migrate:down', '--plugin', 'notes'], env);
    expect(down.code).toBe(0);
    expect(down.out).toContain('notes:0002-add-text');
    expect(down.out).not.toContain('notes:0001-create');
    expect((await cli(['migrate', '--dry-run'], env)).out).toContain('notes:0002-add-text');
  });

  it('admin:token create, list and revoke', async () => {
    const env = { BOTLOOM_NOTES_API_TOKEN: 'abc' };
    const created = await cli(['admin:token', 'create', '--name', 'ops', '--role', 'viewer'], env);
    expect(created.code).toBe(0);
    const token = created.out.trim().split('\n').pop()!;
    expect(token).toMatch(/^blt_/);
    const id = /id ([0-9a-f-]{36})/.exec(created.out)![1]!;

    const listed = await cli(['admin:token', 'list'], env);
    expect(listed.out).toMatch(new RegExp(`${id}\\s+viewer\\s+active\\s+ops`));
    expect(listed.out).not.toContain(token);

    expect((await cli(['admin:token', 'revoke', id], env)).out).toContain(`Revoked ${id}`);
    expect((await cli(['admin:token', 'list'], env)).out).toMatch(new RegExp(`${id}\\s+viewer\\s+revoked`));
    const again = await cli(['admin:token', 'revoke', id], env);
    expect(again.code).toBe(1);

    const badRole = await cli(['admin:token', 'create', '--name', 'x', '--role', 'root'], env);
    expect(badRole.code).not.toBe(0);
  });

  it('reports an unknown command', async () => {
    const result = await cli(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.err).toContain("unknown command 'frobnicate'");
  });
});

describe('botloom new-plugin', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpBase, 'scaffold-'));
    await writeFile(
      path.join(workspace, 'package.json'),
      JSON.stringify({ name: 'scaffold-ws', private: true, type: 'module', workspaces: ['packages/*'] }),
    );
    await writeFile(
      path.join(workspace, 'vitest.config.ts'),
      `import { defineConfig } from 'vitest/config';
export default defineConfig({
  resolve: { conditions: ['botloom-source'] },
  ssr: { resolve: { conditions: ['botloom-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    globalSetup: [${JSON.stringify(path.join(repoRoot, 'packages/core/src/testing/global-setup.ts'))}],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
`,
    );
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('generates a plugin package whose own test passes', async () => {
    const out: string[] = [];
    const code = await runCli(['new-plugin', 'order-status'], {
      cwd: path.join(workspace, 'packages'),
      io: { out: (t) => out.push(t), err: (t) => out.push(t) },
    });
    expect(code).toBe(0);
    const pkgDir = path.join(workspace, 'packages', 'plugin-order-status');
    const pkg = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8'));
    // Outside the Botloom repository the package is not put in the @botloom scope.
    expect(pkg.name).toBe('order-status');
    expect(pkg.scripts.test).toBe('vitest run --root ../.. packages/plugin-order-status/');
    expect(out.join('\n')).toContain('npm install at the workspace root');
    expect(pkg.peerDependencies['@botloom/core']).toBe('^0.1.0');
    expect(pkg.exports['.']['botloom-source']).toBe('./src/index.ts');
    expect(await readFile(path.join(pkgDir, 'locales/ru.ftl'), 'utf8')).toContain('order-status-hello');

    // The generated manifest loads and passes every loader check.
    const mod = await import(path.join(pkgDir, 'src/index.ts'));
    const manifest = mod.default();
    expect(manifest.id).toBe('order-status');
    expect(manifest.commands.map((c: { command: string }) => c.command)).toEqual(['hello']);
    // Plugin contract v2: a services stage on core service refs, and a ref other plugins can depend on.
    expect(Object.keys(manifest.services.deps)).toEqual(['database']);
    expect(manifest.provides.map((r: { id: string }) => r.id)).toEqual(['order-status.greetings']);
    expect(manifest.register).toBeUndefined();

    // Its own `npm test` (run from the package folder) finds its tests and passes.
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), ...pkg.scripts.test.split(' ').slice(1)],
      {
        cwd: pkgDir,
        env: { ...process.env, TEST_DATABASE_URL: inject('botloomAdminDatabaseUrl'), NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let log = '';
    child.stdout.on('data', (d) => {
      log += d;
    });
    child.stderr.on('data', (d) => {
      log += d;
    });
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(log).toMatch(/Tests\s+4 passed/);
    expect(exitCode, log).toBe(0);
  }, 180_000);

  it('outside a workspace, gives the package the vitest.config line of the core README', async () => {
    // Outside the repository: no package.json with workspaces above it.
    const project = await mkdtemp(path.join(tmpdir(), 'botloom-standalone-'));
    try {
      await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'acme', type: 'module' }));
      const io = { out: () => {}, err: () => {} };
      expect(await runCli(['new-plugin', 'greeter', '--dir', '.'], { cwd: project, io })).toBe(0);
      const pkgDir = path.join(project, 'plugin-greeter');
      const pkg = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8'));
      expect(pkg.scripts.test).toBe('vitest run');
      expect(pkg.devDependencies.vitest).toBe(
        JSON.parse(await readFile(path.join(repoRoot, 'packages/core/package.json'), 'utf8')).peerDependencies
          .vitest,
      );
      const readme = await readFile(path.join(repoRoot, 'packages/core/README.md'), 'utf8');
      const line = "globalSetup: ['@botloom/core/testing/global-setup'],";
      expect(readme).toContain(line);
      expect(await readFile(path.join(pkgDir, 'vitest.config.ts'), 'utf8')).toContain(line);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  it('refuses an invalid name and an existing package', async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => err.push(t) };
    expect(await runCli(['new-plugin', 'Bad Name'], { cwd: workspace, io })).toBe(1);
    expect(err.join('')).toContain('INVALID_PLUGIN_NAME');
    expect(await runCli(['new-plugin', 'order-status'], { cwd: workspace, io })).toBe(1);
    expect(err.join('')).toContain('PLUGIN_EXISTS');
    for (const reserved of ['core', 'botloom']) {
      err.length = 0;
      expect(await runCli(['new-plugin', reserved], { cwd: workspace, io })).toBe(1);
      expect(err.join('')).toContain(`"${reserved}" is reserved for core`);
    }
    // Never inside another package's sources.
    err.length = 0;
    const src = path.join(workspace, 'packages', 'plugin-order-status', 'src');
    expect(await runCli(['new-plugin', 'inner', '--dir', src], { cwd: src, io })).toBe(1);
    expect(err.join('')).toContain('INVALID_PLUGIN_DIR');
    expect(existsSync(path.join(src, 'plugin-inner'))).toBe(false);
  });
});
