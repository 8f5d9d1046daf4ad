#!/usr/bin/env node
// `npm start`: builds what is stale (a few milliseconds of file times when nothing changed; the
// whole build on a fresh clone or after an edit), then runs the built app, in ONE node process:
// a separate build-check process (npm's `prestart`) cost a node start-up on every start.
import { ensureBuilt } from '../../scripts/ensure-built.mjs';

ensureBuilt();
await import('./dist/src/main.js');
