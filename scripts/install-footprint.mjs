#!/usr/bin/env node
// Install footprint: the size of node_modules and, for every workspace package, the size of
// the production dependency tree a user of that package installs (dependencies, required peer
// dependencies and optional dependencies, resolved the way Node resolves them from the
// package's folder). "beyond core" is what a plugin adds on top of @botloom/core's tree.
//
//   npm run footprint            # a table
//   npm run footprint -- --json  # the same figures as JSON
//
// Sizes are apparent file sizes (what a tarball-and-unpack would write), without nested
// node_modules counted twice; dev dependencies are not followed.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Apparent size of a folder, not descending into node_modules (those are packages of their own). */
function folderSize(dir, { skipNodeModules = true } = {}) {
  let bytes = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.isSymbolicLink()) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (skipNodeModules && entry.name === 'node_modules') continue;
      bytes += folderSize(full, { skipNodeModules });
    } else if (entry.isFile()) {
      bytes += statSync(full).size;
    }
  }
  return bytes;
}

/** The folder of package `name` as Node resolves it from `fromDir` (walking up node_modules). */
function resolvePackageDir(name, fromDir) {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    try {
      if (statSync(path.join(candidate, 'package.json')).isFile()) return candidate;
    } catch {}
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readManifest(dir) {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
}

/**
 * Every package folder in the production tree of the package at `dir` (itself excluded), with
 * each folder's own size. Workspace packages (symlinks into packages/) are counted by their
 * published files only (dist, locales...), not their sources and build caches.
 */
export function productionTree(dir, { includeSelf = false } = {}) {
  const seen = new Map();
  const missing = new Set();
  const stack = [{ dir, self: true }];
  while (stack.length > 0) {
    const { dir: current, self } = stack.pop();
    const real = realPath(current);
    if (seen.has(real)) continue;
    const manifest = readManifest(current);
    if (!self || includeSelf) seen.set(real, { name: manifest.name, bytes: packageBytes(real, manifest) });
    else seen.set(real, null);
    const peerMeta = manifest.peerDependenciesMeta ?? {};
    const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
    const names = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...optional,
      ...Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !peerMeta[peer]?.optional),
    ]);
    for (const name of names) {
      const found = resolvePackageDir(name, real);
      if (found) stack.push({ dir: found, self: false });
      else if (!optional.has(name)) missing.add(name);
    }
  }
  const packages = [...seen.entries()]
    .filter(([, info]) => info !== null)
    .map(([at, info]) => ({ at, ...info }));
  return { packages, bytes: packages.reduce((sum, p) => sum + p.bytes, 0), missing: [...missing] };
}

function realPath(dir) {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

function packageBytes(dir, manifest) {
  if (!dir.startsWith(path.join(rootDir, 'node_modules')) && Array.isArray(manifest.files)) {
    // A workspace package: what it publishes.
    let bytes = statSync(path.join(dir, 'package.json')).size;
    for (const entry of manifest.files) {
      if (entry.startsWith('!')) continue;
      bytes += folderSize(path.join(dir, entry));
      try {
        if (statSync(path.join(dir, entry)).isFile()) bytes += statSync(path.join(dir, entry)).size;
      } catch {}
    }
    return bytes;
  }
  return folderSize(dir);
}

/** The workspace packages (packages/*, apps/*) with their folders. */
export function workspacePackages() {
  const out = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(path.join(rootDir, group)).sort()) {
      const dir = path.join(rootDir, group, name);
      try {
        out.push({ name: readManifest(dir).name, dir });
      } catch {}
    }
  }
  return out;
}

/** A bare grammY + Koa bot's tree: the baseline an integrator compares against. */
export function baselineTree() {
  const trees = ['grammy', 'koa']
    .map((name) => resolvePackageDir(name, rootDir))
    .filter(Boolean)
    .map((dir) => productionTree(dir, { includeSelf: true }));
  const merged = new Map();
  for (const tree of trees) for (const p of tree.packages) merged.set(p.at, p);
  const packages = [...merged.values()];
  return { packages, bytes: packages.reduce((sum, p) => sum + p.bytes, 0) };
}

/** Every figure: node_modules, the baseline and each workspace package's tree. */
export function installFootprint() {
  const nodeModules = path.join(rootDir, 'node_modules');
  const installed = countPackages(nodeModules);
  const core = workspacePackages().find((p) => p.name === '@botloom/core');
  const coreTree = core ? productionTree(core.dir) : { packages: [], bytes: 0 };
  const coreSet = new Set(coreTree.packages.map((p) => p.at));
  const packages = workspacePackages().map(({ name, dir }) => {
    const tree = productionTree(dir);
    const beyond = tree.packages.filter((p) => !coreSet.has(p.at) && p.name !== '@botloom/core');
    const largest = [...beyond]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 4)
      .map((p) => `${p.name} ${mb(p.bytes)}`);
    return {
      name,
      packages: tree.packages.length,
      bytes: tree.bytes,
      beyondCore: { packages: beyond.length, bytes: beyond.reduce((sum, p) => sum + p.bytes, 0), largest },
      missing: tree.missing,
    };
  });
  const base = baselineTree();
  return {
    nodeModules: { packages: installed.count, bytes: folderSize(nodeModules, { skipNodeModules: false }) },
    baseline: { name: 'grammy + koa', packages: base.packages.length, bytes: base.bytes },
    core: {
      largest: [...coreTree.packages]
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 8)
        .map((p) => `${p.name} ${mb(p.bytes)}`),
    },
    packages,
  };
}

/** Installed package folders under node_modules (scoped and nested included). */
function countPackages(nodeModules) {
  let count = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        walk(full);
        continue;
      }
      count += 1;
      walk(path.join(full, 'node_modules'));
    }
  };
  walk(nodeModules);
  return { count };
}

export function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function printFootprint(figures, log = console.log) {
  const { nodeModules, baseline, packages } = figures;
  log(
    `node_modules (everything, dev dependencies included): ${nodeModules.packages} packages, ${mb(nodeModules.bytes)}`,
  );
  log(`baseline ${baseline.name}: ${baseline.packages} packages, ${mb(baseline.bytes)}`);
  log('production dependency tree per workspace package (what `npm install <package>` brings):');
  for (const p of packages) {
    const ratio = baseline.bytes > 0 ? (p.bytes / baseline.bytes).toFixed(1) : '?';
    log(
      `  ${p.name.padEnd(30)} ${String(p.packages).padStart(4)} packages ${mb(p.bytes).padStart(9)} (${ratio}x baseline)` +
        (p.name === '@botloom/core'
          ? ''
          : `; beyond core: ${p.beyondCore.packages} packages ${mb(p.beyondCore.bytes)}${p.beyondCore.largest.length ? ` [${p.beyondCore.largest.join(', ')}]` : ''}`),
    );
    if (p.missing.length > 0) log(`      required but not installed: ${p.missing.join(', ')}`);
  }
  log(`  largest in core's tree: ${figures.core.largest.join(', ')}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = installFootprint();
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures, null, 2));
  else printFootprint(figures);
}
