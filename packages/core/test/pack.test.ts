import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const skip = process.env.BOTLOOM_SKIP_PACK_TEST === '1';
if (skip) console.warn('pack.test.ts skipped: BOTLOOM_SKIP_PACK_TEST=1');

/**
 * Proves @botloom/core is publishable: build, `npm pack`, install the tarball from the npm
 * registry into a folder outside the monorepo, then import it from plain Node and run its CLI.
 */
describe.skipIf(skip)('npm pack of @botloom/core', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('installs from the tarball and imports in a fresh folder', async () => {
    await run('npx', ['tsc', '-b', 'packages/core'], { cwd: repoRoot });
    const packDir = await mkdtemp(path.join(os.tmpdir(), 'botloom-pack-'));
    const appDir = await mkdtemp(path.join(os.tmpdir(), 'botloom-consumer-'));
    dirs.push(packDir, appDir);

    const { stdout: packJson } = await run(
      'npm',
      ['pack', '--json', '--pack-destination', packDir, '-w', '@botloom/core'],
      { cwd: repoRoot },
    );
    const [packed] = JSON.parse(packJson) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed!.files.map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('bin/botloom.js');
    expect(files).toContain('locales/en.ftl');
    expect(files).toContain('LICENSE');
    expect(files.some((f) => f.startsWith('test/') || f.endsWith('.tsbuildinfo'))).toBe(false);
    const tarball = path.join(packDir, (await readdir(packDir)).find((f) => f.endsWith('.tgz'))!);

    await writeFile(
      path.join(appDir, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
    );
    // A normal install, as a user would run it (native addons are built by their install scripts).
    await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: appDir,
      maxBuffer: 32 * 1024 * 1024,
    });

    const script = `
      import { createApp, definePlugin, BootError, CORE_VERSION, Tokens } from '@botloom/core';
      const plugin = definePlugin({ id: 'hello', version: '1.0.0', core: '^0.1.0', dependsOn: ['missing'] });
      let code = 'none';
      try { createApp({ plugins: [plugin], env: {}, dotenv: false }); } catch (e) { code = e instanceof BootError ? e.code : String(e); }
      console.log(JSON.stringify({ version: CORE_VERSION, code, tokens: Object.keys(Tokens).length }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: appDir });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result).toEqual({ version: '0.1.0', code: 'MISSING_DEPENDENCY', tokens: expect.any(Number) });

    await writeFile(path.join(appDir, 'botloom.config.js'), 'export default { plugins: [] };\n');
    const cli = await run(path.join(appDir, 'node_modules/.bin/botloom'), ['plugins'], { cwd: appDir });
    expect(cli.stdout.trim()).toBe('No plugins');
  }, 600_000);
});
