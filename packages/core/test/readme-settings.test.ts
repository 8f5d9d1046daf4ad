import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CoreConfigSchema } from '../src/config/core-config.js';

describe('core README', () => {
  it('documents every core setting in its settings table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    const missing = Object.keys(CoreConfigSchema.shape).filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
  });
});
