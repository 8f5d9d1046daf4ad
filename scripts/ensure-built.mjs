#!/usr/bin/env node
// Builds the workspace packages when their JavaScript is missing or older than their sources,
// so `npm start` can run built JavaScript on a fresh clone (`npm install && npm start`) and
// after an edit, yet costs a few milliseconds when nothing changed: loading TypeScript just to
// learn that `tsc -b` has nothing to do takes about a second and a half, a file-time walk does not.
//
//   node scripts/ensure-built.mjs            # build what is stale (TypeScript, admin panel, app bundle)
//   node scripts/ensure-built.mjs --check    # exit 1 if a build is needed, build nothing
//
// `ensureBuilt()` does the same inside another process: the reference app's start entry
// (apps/reference/start.mjs) checks in-process, sparing `npm start` one more node process.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Newest modification time under `target` (a file or a folder), skipping build output. */
function newest(target) {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    latest = Math.max(latest, newest(path.join(target, entry.name)));
  }
  return latest;
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The TypeScript projects `npm start` runs: every package and the reference app. */
function projects() {
  const out = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(path.join(rootDir, group)).sort()) {
      const dir = path.join(rootDir, group, name);
      if (existsSync(path.join(dir, 'tsconfig.json'))) out.push(dir);
    }
  }
  return out;
}

function staleProjects() {
  const base = mtime(path.join(rootDir, 'tsconfig.base.json')) ?? 0;
  return projects().filter((dir) => {
    const built = mtime(path.join(dir, 'dist', '.tsbuildinfo'));
    if (built === undefined) return true;
    const inputs = Math.max(
      base,
      newest(path.join(dir, 'src')),
      mtime(path.join(dir, 'tsconfig.json')) ?? 0,
      mtime(path.join(dir, 'package.json')) ?? 0,
      mtime(path.join(dir, 'botloom.config.ts')) ?? 0,
    );
    return inputs > built;
  });
}

function adminUiStale() {
  const coreDir = path.join(rootDir, 'packages', 'core');
  if (!existsSync(path.join(coreDir, 'admin-ui'))) return false;
  const built = mtime(path.join(coreDir, 'dist', 'admin-ui', 'index.html'));
  return built === undefined || newest(path.join(coreDir, 'admin-ui')) > built;
}

/** Plugins' custom admin pages (`panel/build.mjs`, built into `dist/panel/`) older than their sources. */
function pluginPanelsStale() {
  const packagesDir = path.join(rootDir, 'packages');
  return readdirSync(packagesDir)
    .map((name) => path.join(packagesDir, name))
    .filter((dir) => existsSync(path.join(dir, 'panel', 'build.mjs')))
    .filter((dir) => {
      const built = mtime(path.join(dir, 'dist', 'panel'));
      const outputs = existsSync(path.join(dir, 'dist', 'panel'))
        ? readdirSync(path.join(dir, 'dist', 'panel')).map(
            (f) => mtime(path.join(dir, 'dist', 'panel', f)) ?? 0,
          )
        : [];
      const oldest = outputs.length > 0 ? Math.min(...outputs) : undefined;
      return built === undefined || oldest === undefined || newest(path.join(dir, 'panel')) > oldest;
    });
}

/**
 * Apps with a production bundle (`bundle.mjs`, e.g. apps/reference: what its `npm start` runs)
 * whose bundle is missing or older than a file it was made from (`dist/bundle/inputs.json`,
 * written by the bundler: the workspace's built JavaScript and npm's record of node_modules).
 */
function bundlesStale() {
  const appsDir = path.join(rootDir, 'apps');
  return readdirSync(appsDir)
    .map((name) => path.join(appsDir, name))
    .filter((dir) => existsSync(path.join(dir, 'bundle.mjs')))
    .filter((dir) => !bundleCurrent(dir));
}

/** True when `appDir`'s bundle (dist/bundle/) was made in this folder, after every file it was made from and its bundler. */
export function bundleCurrent(appDir) {
  const listed = path.join(appDir, 'dist', 'bundle', 'inputs.json');
  const built = mtime(listed);
  if (built === undefined) return false;
  let made;
  try {
    made = JSON.parse(readFileSync(listed, 'utf8'));
  } catch {
    return false;
  }
  // Each bundled module holds its absolute location: a bundle made in another folder is stale.
  if (!Array.isArray(made?.inputs) || made.appDir !== path.resolve(appDir)) return false;
  for (const input of [...made.inputs, 'bundle.mjs']) {
    const time = mtime(path.resolve(appDir, input));
    if (time === undefined || time > built) return false;
  }
  return true;
}

/** Whether esbuild (a development dependency) is installed: without it the apps run unbundled, and no bundle counts as stale. */
function canBundle(require) {
  try {
    require.resolve('esbuild');
    return true;
  } catch {
    return false;
  }
}

function run(label, command, args, cwd = rootDir) {
  const started = Date.now();
  process.stderr.write(`${label}...\n`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`${label} failed (exit ${result.status ?? result.signal}).\n`);
    process.exit(result.status ?? 1);
  }
  process.stderr.write(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** What is older than its sources: TypeScript projects, the admin panel, plugins' admin pages, app bundles. */
export function staleParts() {
  const stale = staleProjects();
  const panel = adminUiStale();
  const pluginPanels = pluginPanelsStale();
  const bundles = canBundle(createRequire(import.meta.url)) ? bundlesStale() : [];
  const names = [
    ...stale.map((dir) => path.relative(rootDir, dir)),
    ...(panel ? ['packages/core/admin-ui'] : []),
    ...pluginPanels.map((dir) => `${path.relative(rootDir, dir)}/panel`),
    ...bundles.map((dir) => `${path.relative(rootDir, dir)}/dist/bundle`),
  ];
  return { stale, panel, pluginPanels, bundles, names };
}

/** Builds what is stale (nothing, in a few milliseconds, when the JavaScript is current); exits on a failed build. */
export function ensureBuilt() {
  const { stale, panel, pluginPanels } = staleParts();
  const require = createRequire(import.meta.url);
  if (stale.length > 0) {
    const tsc = require.resolve('typescript/bin/tsc');
    // tsc -b is incremental: the projects whose sources did not change are skipped.
    run(
      `Building ${stale.map((dir) => path.relative(rootDir, dir)).join(', ')} (tsc -b, once after a change)`,
      process.execPath,
      [tsc, '-b', ...projects().map((dir) => path.relative(rootDir, dir))],
    );
  }
  if (panel) {
    const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
    const coreDir = path.join(rootDir, 'packages', 'core');
    run(
      'Building the admin panel (vite, once after a change)',
      process.execPath,
      [vite, 'build', '--config', 'admin-ui/vite.config.ts'],
      coreDir,
    );
  }
  for (const dir of pluginPanels) {
    run(
      `Building ${path.relative(rootDir, dir)}'s admin pages (esbuild, once after a change)`,
      process.execPath,
      [path.join('panel', 'build.mjs')],
      dir,
    );
  }
  // After the builds above: the bundle is made from their output. Without esbuild (installed
  // without development dependencies) the app runs its unbundled JavaScript instead.
  if (!canBundle(require)) return;
  for (const dir of bundlesStale()) {
    run(
      `Bundling ${path.relative(rootDir, dir)} (esbuild, once after a change)`,
      process.execPath,
      ['bundle.mjs'],
      dir,
    );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const { names } = staleParts();
    for (const name of names) console.log(`stale: ${name}`);
    process.exit(names.length > 0 ? 1 : 0);
  }
  ensureBuilt();
}
