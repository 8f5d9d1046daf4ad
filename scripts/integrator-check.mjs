#!/usr/bin/env node
// The published packages work as their READMEs say, outside the monorepo:
//   1. build (unless --skip-build), `npm pack` core and every plugin with real content;
//   2. install the tarballs into a fresh folder under the OS temp dir (not inside any workspace),
//      with the `allowScripts` entries the core README tells users to add, and check npm finds
//      no unreviewed install script;
//   3. write the app from the README code blocks marked `<!-- integrator-check: ... -->`
//      (core: main.ts, a plugin with config/migration/command/admin route, one using support's
//      service, locales, vitest.config, a test; each plugin: its "Services for other plugins"
//      example) and typecheck it with strict tsc;
//   4. run its test with vitest through the test kit (the README's vitest.config line);
//   5. scaffold a plugin there with `npx botloom new-plugin` and run its own test (standalone).
// Usage: node scripts/integrator-check.mjs [--skip-build] [--keep]
// TEST_DATABASE_URL is passed on (a PostgreSQL server); without it the test kit starts an
// embedded one.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { markedSnippets } from './readme-snippets.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const started = Date.now();
const timings = [];

/** The environment of the outside project: nothing from an npm run of the monorepo. */
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key, value]) =>
      !/^npm_(package|lifecycle|config_workspace|config_include_workspace_root)/i.test(key) &&
      key !== 'INIT_CWD' &&
      !(key === 'NODE_OPTIONS' && value?.includes('botloom-source')),
  ),
);

function step(name, fn) {
  const t0 = Date.now();
  console.log(`\n--- ${name}`);
  return Promise.resolve(fn()).then((result) => {
    timings.push([name, (Date.now() - t0) / 1000]);
    return result;
  });
}

/** Runs a command; its output is shown only when it fails (or always with `show`). */
function run(cmd, argv, { cwd, show = false, env = cleanEnv } = {}) {
  const result = spawnSync(cmd, argv, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    console.error(output);
    throw new Error(`${cmd} ${argv.join(' ')} (in ${cwd}) exited with ${result.status ?? result.signal}`);
  }
  if (show) console.log(output.trimEnd());
  return result.stdout;
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Core and every plugin that has content (a placeholder's README says "Under construction"). */
function publishedPackages() {
  const dirs = readdirSync(path.join(repoRoot, 'packages')).filter(
    (d) => d === 'core' || d.startsWith('plugin-'),
  );
  return dirs
    .filter(
      (d) =>
        !/Under construction/i.test(readFileSync(path.join(repoRoot, 'packages', d, 'README.md'), 'utf8')),
    )
    .sort((a, b) => (a === 'core' ? -1 : b === 'core' ? 1 : a.localeCompare(b)))
    .map((d) => ({
      dir: path.join(repoRoot, 'packages', d),
      name: readJson(path.join(repoRoot, 'packages', d, 'package.json')).name,
    }));
}

async function main() {
  const packages = publishedPackages();
  console.log(`packages: ${packages.map((p) => p.name).join(', ')}`);
  for (const required of [
    '@botloom/core',
    '@botloom/plugin-support',
    '@botloom/plugin-memory',
    '@botloom/plugin-segmentation',
  ]) {
    if (!packages.some((p) => p.name === required)) throw new Error(`${required} is missing from the check`);
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'botloom-integrator-'));
  if (!path.relative(repoRoot, work).startsWith('..')) throw new Error(`${work} is inside the repository`);
  // mkdtemp makes it 0700; as root the test kit's embedded PostgreSQL runs as the `postgres`
  // user, which must reach its binaries in node_modules (as in any ordinary project folder).
  await chmod(work, 0o755);
  const app = path.join(work, 'acme-bot');
  const packs = path.join(work, 'packs');
  await mkdir(app);
  await mkdir(packs);
  try {
    if (!args.has('--skip-build'))
      await step('build', () => run('npm', ['run', 'build'], { cwd: repoRoot, env: process.env }));

    const tarballs = await step('npm pack', () => {
      const out = run(
        'npm',
        ['pack', '--json', '--pack-destination', packs, ...packages.flatMap((p) => ['-w', p.name])],
        {
          cwd: repoRoot,
          env: process.env,
        },
      );
      return Object.fromEntries(JSON.parse(out).map((p) => [p.name, path.join(packs, p.filename)]));
    });

    await step('write the app from the README snippets', async () => {
      const snippets = [
        ...markedSnippets(path.join(repoRoot, 'packages/core/README.md')),
        ...packages
          .filter((p) => p.name !== '@botloom/core')
          .flatMap((p) => markedSnippets(path.join(p.dir, 'README.md'))),
      ];
      const core = readJson(path.join(repoRoot, 'packages/core/package.json'));
      const root = readJson(path.join(repoRoot, 'package.json'));
      const pkg = {
        name: 'acme-bot',
        version: '1.0.0',
        private: true,
        type: 'module',
        scripts: { typecheck: 'tsc', test: 'vitest run' },
        dependencies: {
          ...Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`])),
          zod: core.peerDependencies.zod,
          sequelize: core.dependencies.sequelize,
        },
        devDependencies: {
          typescript: root.devDependencies.typescript,
          vitest: core.peerDependencies.vitest,
          '@types/node': root.devDependencies['@types/node'],
        },
      };
      const files = new Map();
      for (const s of snippets) {
        const [, key] = s.target.match(/^package\.json#(\w+)$/) ?? [];
        if (key) pkg[key] = JSON.parse(s.code);
        else if (s.target.startsWith('file=')) {
          const file = s.target.slice('file='.length);
          if (files.has(file))
            throw new Error(`${file} comes from two snippets (${files.get(file)}, ${s.readme})`);
          files.set(file, s.readme);
          await mkdir(path.dirname(path.join(app, file)), { recursive: true });
          await writeFile(path.join(app, file), s.code);
        } else throw new Error(`${s.readme}: unknown integrator-check target "${s.target}"`);
      }
      if (!pkg.allowScripts) throw new Error('the core README has no allowScripts block');
      for (const required of [
        'src/main.ts',
        'src/hello-plugin.ts',
        'src/crm-plugin.ts',
        'vitest.config.ts',
        'test/hello.test.ts',
      ]) {
        if (!files.has(required)) throw new Error(`no README snippet for ${required}`);
      }
      await writeFile(path.join(app, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
      await writeFile(
        path.join(app, 'tsconfig.json'),
        `${JSON.stringify(
          {
            compilerOptions: {
              target: 'ES2022',
              module: 'NodeNext',
              moduleResolution: 'NodeNext',
              strict: true,
              noEmit: true,
              skipLibCheck: true,
              types: ['node'],
            },
            include: ['src/**/*.ts', 'test/**/*.ts', 'vitest.config.ts', 'botloom.config.ts'],
          },
          null,
          2,
        )}\n`,
      );
      console.log(`${files.size} files: ${[...files.keys()].join(', ')}`);
    });

    await step('npm install (tarballs, outside the workspace)', () =>
      run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, show: true }),
    );

    await step('install scripts: all reviewed by the README allowScripts', () => {
      const out = run('npm', ['approve-scripts', '--allow-scripts-pending'], { cwd: app });
      if (!/No packages with unreviewed install scripts/.test(out)) {
        throw new Error(`install scripts the core README's allowScripts does not cover:\n${out}`);
      }
    });

    await step('strict typecheck (tsc)', () => run('npx', ['tsc', '-p', '.'], { cwd: app, show: true }));

    await step('test through the test kit (vitest)', () =>
      run('npx', ['vitest', 'run'], { cwd: app, show: true }),
    );

    await step('scaffold standalone: botloom new-plugin, its typecheck and its test', () => {
      run('npx', ['botloom', 'new-plugin', 'greeter', '--dir', '.'], { cwd: app, show: true });
      const plugin = path.join(app, 'plugin-greeter');
      const scaffolded = readJson(path.join(plugin, 'package.json'));
      if (scaffolded.name !== 'greeter') throw new Error(`scaffolded package is named ${scaffolded.name}`);
      // Its dependencies are the app's (same ranges), found up the folder tree.
      run('npx', ['tsc', '-p', '.', '--noEmit'], { cwd: plugin, show: true });
      run('npx', ['vitest', 'run'], { cwd: plugin, show: true });
    });
  } finally {
    if (args.has('--keep')) console.log(`\nkept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
}

main().then(
  () => {
    console.log('\nintegrator check passed');
    for (const [name, seconds] of timings) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${name}`);
    console.log(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  total`);
  },
  (error) => {
    console.error(`\nintegrator check FAILED: ${error.message}`);
    process.exit(1);
  },
);
