#!/usr/bin/env node
// `npm start`: builds what is stale (a few milliseconds of file times when nothing changed; the
// whole build on a fresh clone or after an edit), then runs the built app, in ONE node process:
// a separate build-check process (npm's `prestart`) cost a node start-up on every start.
// The app runs from its bundle (bundle.mjs: dist/bundle/main.mjs, about half the start-up of
// ~1,500 separate files); without esbuild installed, or with BOTLOOM_UNBUNDLED=1 (stack traces
// into the original files), from dist/src/main.js.
import { fileURLToPath } from 'node:url';
import { bundleCurrent, ensureBuilt } from '../../scripts/ensure-built.mjs';

ensureBuilt();
const bundled =
  process.env.BOTLOOM_UNBUNDLED !== '1' && bundleCurrent(fileURLToPath(new URL('.', import.meta.url)));
await import(bundled ? './dist/bundle/main.mjs' : './dist/src/main.js');
