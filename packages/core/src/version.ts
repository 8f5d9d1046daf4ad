import { readFileSync } from 'node:fs';

/** This package's version, read from its package.json (same relative path from src/ and dist/). */
export const CORE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
