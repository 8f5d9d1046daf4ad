import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '@botloom/core/runtime';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerSegmentationCli, type SegmentationCliApp } from '../src/cli/segmentation-cli.js';
import { parseSegmentationConfig } from '../src/config.js';
import { createSegmentationTestDb, type SegmentationTestDb } from './helpers.js';

let db: SegmentationTestDb;
let out: string[];
let err: string[];
let migrations = 0;

// The app seam the core CLI passes in: the plugin's settings and the (real) test database.
const app: SegmentationCliApp = {
  pluginConfig: <T>() => parseSegmentationConfig({ defaultK: 3, restarts: 3 }) as T,
  openMaintenance: async () => ({
    database: { sequelize: db.sequelize },
    migrator: {
      up: async () => {
        migrations++;
        return [];
      },
    },
    close: async () => {},
  }),
};

async function run(...argv: string[]): Promise<void> {
  const program = new Command('botloom').exitOverride();
  registerSegmentationCli(program, async () => app, {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    progressStream: null,
  });
  await program.parseAsync(argv, { from: 'user' });
}

beforeAll(async () => {
  db = await createSegmentationTestDb();
});
afterEach(() => {
  out = [];
  err = [];
  process.exitCode = undefined;
});
afterAll(async () => {
  await db?.close();
});

describe('segmentation CLI', () => {
  it('generates a reproducible CSV, imports it and recomputes', async () => {
    out = [];
    err = [];
    const file = path.join(db.tmpDir, 'gen.csv');
    await run(
      'segmentation:generate',
      '--clients',
      '40',
      '--out',
      file,
      '--seed',
      '5',
      '--end',
      '2024-06-01',
    );
    expect(out.join('\n')).toMatch(
      /^Wrote \d+ transactions of 40 clients \(traditional \d+, digital_traveller \d+, city_dweller \d+, noise \d+\)/,
    );
    const first = await readFile(file, 'utf8');
    const again = path.join(db.tmpDir, 'gen2.csv');
    await run(
      'segmentation:generate',
      '--clients',
      '40',
      '--out',
      again,
      '--seed',
      '5',
      '--end',
      '2024-06-01',
    );
    expect(await readFile(again, 'utf8')).toBe(first);
    expect(first.split('\n')[0]).toBe('card_id,timestamp,amount,currency,mcc,category,online,city,country');

    out = [];
    await run('segmentation:import', file);
    expect(migrations).toBeGreaterThan(0);
    expect(out[0]).toMatch(/^Import #\d+ completed: (\d+) of \1 rows imported\.$/);
    expect(out[1]).toMatch(/^Segmentation v1: 40 clients in 3 segments/);
    expect(process.exitCode).toBeUndefined();
  });

  it('prints the bad-row report and fails for a bad file', async () => {
    const file = await db.file(
      'bad.csv',
      'card_id,timestamp,amount,currency,mcc,online,city,country\nX1,2024-01-01,oops,RUB,5411,false,Moscow,RU\n',
    );
    await run('segmentation:import', file, '--no-recompute');
    expect(process.exitCode).toBe(1);
    expect(err[0]).toMatch(/^Import #\d+ rejected \[SEGMENTATION_INVALID_ROWS\]: 1 of 1 rows are invalid/);
    expect(err).toContain('  1 × amount: not a number');
    expect(err).toContain('  line 2  amount  not a number  "oops"');
  });

  it('accepts a column mapping', async () => {
    const file = await db.file(
      'mapped.csv',
      'client,when,amount,currency,mcc,online,town,country\nM1,2024-01-01,10,RUB,5411,false,Moscow,RU\n',
    );
    await run(
      'segmentation:import',
      file,
      '--map',
      'card_id=client,timestamp=when',
      '--map',
      'city=town',
      '--no-recompute',
    );
    expect(out[0]).toMatch(/completed: 1 of 1 rows/);
  });
});

describe('the botloom CLI', () => {
  it('runs segmentation:generate through core runCli and the manifest cli hook', async () => {
    const dir = path.join(db.tmpDir, 'cfg');
    await mkdir(dir);
    const pluginEntry = path.resolve(import.meta.dirname, '../src/index.ts');
    await db.file(
      'cfg/botloom.config.mjs',
      `import plugin from ${JSON.stringify(pluginEntry)};\nexport default { plugins: [plugin()] };\n`,
    );
    const lines: string[] = [];
    const target = path.join(dir, 'out.csv');
    const code = await runCli(
      ['segmentation:generate', '--clients', '3', '--out', target, '--end', '2024-01-01'],
      {
        cwd: dir,
        env: { LOG_LEVEL: 'silent' },
        io: { out: (s) => lines.push(s), err: (s) => lines.push(s) },
      },
    );
    expect(lines.join('\n')).toMatch(/Wrote \d+ transactions of 3 clients/);
    expect(code).toBe(0);
  });
});
