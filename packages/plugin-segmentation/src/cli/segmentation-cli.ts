import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { finished } from 'node:stream/promises';
import type cliProgressModule from 'cli-progress';
import type { Command } from 'commander';
import type { Sequelize } from 'sequelize';
import { parseSegmentationConfig, type SegmentationConfig } from '../config.js';
import { writeGeneratedCsv } from '../services/generator.js';
import type { ImportResult } from '../services/import-service.js';
import { createSegmentationServices } from '../services/segmentation-service.js';
import {
  type ColumnMapping,
  TRANSACTION_FIELDS,
  type TransactionField,
} from '../services/transaction-schema.js';

/** What the CLI needs from the app: the plugin's settings and a database with migrations applied. */
export interface SegmentationCliApp {
  pluginConfig<T = unknown>(pluginId: string): T;
  openMaintenance(): Promise<{
    database: { sequelize: Sequelize };
    migrator: { up(): Promise<unknown> };
    close(): Promise<void>;
  }>;
}

export interface SegmentationCliIo {
  out(text: string): void;
  err(text: string): void;
  /** Where progress bars draw (default: process.stderr); null hides them. */
  progressStream?: NodeJS.WritableStream | null;
}

const defaultIo: SegmentationCliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

// The plugin registers its commands in every app (the `cli` hook), but commander and the
// progress bars are needed only when the CLI runs: required then, not at every app start.
const require = createRequire(import.meta.url);
const cliProgress = (): typeof cliProgressModule => require('cli-progress');
function invalidArgument(message: string): Error {
  const { InvalidArgumentError } = require('commander') as typeof import('commander');
  return new InvalidArgumentError(message);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw invalidArgument('must be a positive integer');
  return n;
}

function mappingOption(value: string, previous: ColumnMapping = {}): ColumnMapping {
  const out: ColumnMapping = { ...previous };
  for (const pair of value.split(',')) {
    const [field, column] = pair.split('=').map((s) => s.trim());
    if (!field || !column || !(TRANSACTION_FIELDS as readonly string[]).includes(field)) {
      throw invalidArgument(`expected FIELD=COLUMN with FIELD one of ${TRANSACTION_FIELDS.join(', ')}`);
    }
    out[field as TransactionField] = column;
  }
  return out;
}

function printImportResult(io: SegmentationCliIo, result: ImportResult): void {
  const r = result.report;
  if (result.status === 'completed') {
    io.out(`Import #${result.id} completed: ${r?.rowsImported ?? 0} of ${r?.rowsTotal ?? 0} rows imported.`);
  } else {
    io.err(`Import #${result.id} ${result.status} [${result.errorCode ?? 'ERROR'}]: ${result.error}`);
  }
  if (r && r.rowsInvalid > 0) {
    io.err(`${r.rowsInvalid} invalid row(s). Problems by kind:`);
    for (const [reason, count] of Object.entries(r.reasons)) io.err(`  ${count} × ${reason}`);
    io.err('First bad rows (line, column, reason, value):');
    for (const bad of r.badRows.slice(0, 20)) {
      io.err(`  line ${bad.line}  ${bad.column}  ${bad.reason}${bad.value ? `  "${bad.value}"` : ''}`);
    }
    if (r.badRows.length > 20 || r.badRowsTruncated)
      io.err('  … (full report: GET /admin/api/segmentation/imports/ID)');
  }
}

/**
 * Adds `segmentation:import`, `segmentation:generate` and `segmentation:recompute` to a
 * commander program (the `botloom` CLI). `getApp` builds the app (not started).
 */
export function registerSegmentationCli(
  program: Command,
  getApp: () => Promise<SegmentationCliApp>,
  io: SegmentationCliIo = defaultIo,
): void {
  const withServices = async <T>(
    fn: (s: ReturnType<typeof createSegmentationServices>, config: SegmentationConfig) => Promise<T>,
  ) => {
    const app = await getApp();
    const config = parseSegmentationConfig(app.pluginConfig<SegmentationConfig>('segmentation'));
    const maintenance = await app.openMaintenance();
    try {
      await maintenance.migrator.up();
      return await fn(createSegmentationServices(maintenance.database.sequelize, config), config);
    } finally {
      await maintenance.close();
    }
  };

  program
    .command('segmentation:import')
    .description(
      'import card transactions from a CSV or Parquet file (all or nothing, with a bad-row report)',
    )
    .argument('<file>', 'CSV (header on the first line) or Parquet file')
    .option('--format <format>', 'csv or parquet (default: detected from the content)')
    .option(
      '--map <FIELD=COLUMN,...>',
      'column mapping for files that name columns differently (repeatable)',
      mappingOption,
    )
    .option(
      '--skip-invalid',
      'import the valid rows and report the invalid ones (default: reject the whole file)',
    )
    .option('--allow-duplicate', 'import a file whose exact content was imported before')
    .option('--no-recompute', 'do not recompute the segments after the import')
    .action(
      async (
        file: string,
        opts: {
          format?: 'csv' | 'parquet';
          map?: ColumnMapping;
          skipInvalid?: boolean;
          allowDuplicate?: boolean;
          recompute: boolean;
        },
      ) => {
        if (opts.format && opts.format !== 'csv' && opts.format !== 'parquet') {
          throw invalidArgument('--format must be csv or parquet');
        }
        await withServices(async (services) => {
          const stream = io.progressStream === undefined ? process.stderr : io.progressStream;
          const bar = stream
            ? new (cliProgress().SingleBar)(
                { format: 'importing [{bar}] {percentage}% | {rows} rows', stream, hideCursor: true },
                cliProgress().Presets.shades_classic,
              )
            : null;
          bar?.start(100, 0, { rows: 0 });
          let result: ImportResult;
          try {
            result = await services.imports.importFile(file, {
              format: opts.format,
              columns: opts.map,
              skipInvalid: opts.skipInvalid,
              allowDuplicate: opts.allowDuplicate,
              source: 'cli',
              onProgress: ({ rows, fraction }) => bar?.update(Math.round(fraction * 100), { rows }),
            });
          } finally {
            bar?.stop();
          }
          printImportResult(io, result);
          if (result.status !== 'completed') {
            process.exitCode = 1;
            return;
          }
          if (opts.recompute) {
            const run = await services.recompute.recompute({ trigger: 'cli' });
            io.out(
              `Segmentation v${run.version}: ${run.nClients} clients in ${run.k} segments (inertia ${run.inertia?.toFixed(1)}).`,
            );
          }
        });
      },
    );

  program
    .command('segmentation:generate')
    .description('write realistic synthetic card transactions (seeded) as CSV, for demos and tests')
    .requiredOption('--clients <n>', 'number of clients', positiveInt)
    .option('--out <file>', 'output file (default: standard output)')
    .option('--seed <n>', 'random seed', positiveInt, 1)
    .option('--days <n>', 'days of history', positiveInt, 180)
    .option('--end <date>', 'end of the history, ISO date (default: today, UTC)')
    .action(async (opts: { clients: number; out?: string; seed: number; days: number; end?: string }) => {
      const end = opts.end ? new Date(opts.end) : undefined;
      if (end && Number.isNaN(end.getTime())) throw invalidArgument('--end must be an ISO date');
      const out = opts.out ? createWriteStream(opts.out) : process.stdout;
      const stream = opts.out ? (io.progressStream === undefined ? process.stderr : io.progressStream) : null;
      const bar = stream
        ? new (cliProgress().SingleBar)(
            { format: 'generating [{bar}] {value}/{total} clients', stream },
            cliProgress().Presets.shades_classic,
          )
        : null;
      bar?.start(opts.clients, 0);
      const result = await writeGeneratedCsv(
        out,
        { clients: opts.clients, seed: opts.seed, days: opts.days, end },
        (done) => {
          if (done % 100 === 0 || done === opts.clients) bar?.update(done);
        },
      );
      bar?.stop();
      if (opts.out) {
        out.end();
        await finished(out);
        const kinds = Object.entries(result.kinds)
          .map(([kind, n]) => `${kind} ${n}`)
          .join(', ');
        io.out(
          `Wrote ${result.transactions} transactions of ${result.clients} clients (${kinds}) to ${opts.out}`,
        );
      }
    });

  program
    .command('segmentation:recompute')
    .description('recompute features and segments now (a new version)')
    .option('--k <n>', 'number of segments for this run (default: the configured one)', positiveInt)
    .action(async (opts: { k?: number }) => {
      await withServices(async (services) => {
        const run = await services.recompute.recompute({ trigger: 'cli', k: opts.k });
        io.out(
          `Segmentation v${run.version}: ${run.nClients} clients in ${run.k} segments (k by ${run.kChosenBy}, inertia ${run.inertia?.toFixed(1)}).`,
        );
      });
    });
}
