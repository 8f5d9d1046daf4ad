#!/usr/bin/env node
// The `botloom` CLI. From an installed package it runs the built dist/; inside the Botloom
// monorepo (a checkout: sources and tsconfig.json present) it runs the sources under tsx with
// the source condition, so a stale dist/ is never used there (BOTLOOM_FROM_DIST=1 forces dist/).
// The published package ships src/ too (for source maps) but not tsconfig.json, nor tsx.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const checkout = existsSync(fileURLToPath(new URL('../tsconfig.json', import.meta.url)));

if (checkout && existsSync(source) && process.env.BOTLOOM_FROM_DIST !== '1') {
  const child = spawn(
    process.execPath,
    ['--conditions=botloom-source', '--import', import.meta.resolve('tsx'), source, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, BOTLOOM_TS_LOADER: '1' } },
  );
  // Ctrl+C reaches the child directly (same process group): ignore it here and wait. SIGTERM is
  // usually sent to this process alone (docker, systemd): pass it on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await import(pathToFileURL(dist).href);
}
