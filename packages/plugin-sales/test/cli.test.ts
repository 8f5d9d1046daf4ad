/**
 * The plugin's CLI commands through core's runCli and the manifest's cli hook, on a real
 * database: sales:import (with an invalid file refused with paths), sales:export, and
 * sales:eval printing its figures on the shipped labelled set (no quality bar asserted).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '@botloom/core/runtime';
import { createTestDatabase, type TestDatabase } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { COURSE_EN_FILE, courseJson } from './helpers.js';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sales-cli-'));
  const entry = path.resolve(import.meta.dirname, '../src/index.ts');
  await writeFile(
    path.join(dir, 'botloom.config.mjs'),
    `import plugin from ${JSON.stringify(entry)};\nexport default { plugins: [plugin()] };\n`,
  );
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  process.exitCode = 0;
  const code = await runCli(argv, {
    cwd: dir,
    env: { LOG_LEVEL: 'silent', DATABASE_URL: db.url, BOTLOOM_DATA_DIR: dir },
    io: { out: (s) => out.push(s), err: (s) => err.push(s) },
  });
  const exit = code || process.exitCode || 0;
  process.exitCode = 0;
  return { out, err, exit };
}

describe('botloom sales:*', { timeout: 120_000 }, () => {
  it('imports, publishes and exports a script', async () => {
    const imported = await run('sales:import', COURSE_EN_FILE, '--publish');
    expect(imported.out).toEqual(['Created script course; published version 1']);
    const again = await run('sales:import', COURSE_EN_FILE);
    expect(again.out).toEqual(['Updated the draft of script course']);
    const target = path.join(dir, 'course.json');
    expect((await run('sales:export', 'course', '--format', 'json', '--out', target)).out).toEqual([
      `Wrote ${target}`,
    ]);
    const exported = JSON.parse(await readFile(target, 'utf8'));
    expect(exported.id).toBe('course');
    expect(exported.stages).toEqual(courseJson().stages);
  });

  it('refuses an invalid file, printing the path of each error', async () => {
    const bad = courseJson();
    bad.stages[1].transitions[0].to = 'nowhere';
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, stringify({ id: 'bad', ...bad }));
    const result = await run('sales:import', file);
    expect(result.exit).toBe(1);
    expect(result.err).toContain('  stages.1.transitions.0.to: unknown stage "nowhere"');
  });

  it('sales:eval replays the labelled set and prints the figures', async () => {
    const file = path.resolve(import.meta.dirname, '../bench/conversations.jsonl');
    const result = await run('sales:eval', file, '--script', 'course');
    expect(result.err).toEqual([]);
    const text = result.out.join('\n');
    expect(text).toMatch(
      /^Sales evaluation \(offline analyser, no language model\): \d+ conversations, \d+ turns/,
    );
    for (const figure of [
      'stage accuracy:',
      'strategy accuracy:',
      'consent precision:',
      'tokens per turn:',
      'latency per turn:',
      'stage confusion',
    ]) {
      expect(text).toContain(figure);
    }
  });
});
