import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { type CliSetupContext, type CoreConfig, createAesGcmCrypto } from '@botloom/core';
import pino from 'pino';
import type { SalesConfig } from '../config.js';
import { parseEvalFile } from '../eval/eval-format.js';
import { formatReport, runEvaluation } from '../eval/eval-runner.js';
import { parseScriptFile } from '../script/script-file.js';
import type { ScriptDefinition } from '../script/script-schema.js';
import { ScriptInvalidError } from '../services/errors.js';
import { PublishedScriptCache } from '../services/published-script-cache.js';
import { ScriptService } from '../services/script-service.js';
import { Sql } from '../services/sql.js';

/**
 * Core's runtime internals (the CLI program, AI services, signals): loaded when a sales command
 * runs, not by every app that registers the commands.
 */
const coreRuntime = () => import('@botloom/core/runtime');

type CliApp = Awaited<ReturnType<CliSetupContext['getApp']>> & { config?: CoreConfig };

/** `botloom sales:import`, `sales:export`, `sales:eval`. */
export function registerSalesCli({ program, getApp, io }: CliSetupContext): void {
  const fail = (error: unknown) => {
    if (error instanceof ScriptInvalidError) {
      io.err(error.message);
      for (const issue of error.issues) io.err(`  ${issue.path || '(root)'}: ${issue.message}`);
    } else {
      io.err(error instanceof Error ? error.message : String(error));
    }
    process.exitCode = 1;
  };

  /** The script service on the app's database; a publish tells running instances over signals. */
  const withScripts = async <T>(work: (scripts: ScriptService) => Promise<T>): Promise<T> => {
    const app = (await getApp()) as CliApp;
    const m = await app.openMaintenance();
    const logger = pino({ level: 'silent' });
    const { createAppSignals } = await coreRuntime();
    const databaseUrl = (m.database as { url?: string }).url;
    const signals = databaseUrl
      ? createAppSignals({ databaseUrl, kvUrl: app.config?.KV_URL, logger })
      : undefined;
    try {
      await m.migrator.up();
      let cache: PublishedScriptCache | undefined;
      const scripts = new ScriptService(new Sql(m.database.sequelize), (slug) => cache!.published(slug));
      cache = new PublishedScriptCache(() => scripts, signals, logger);
      return await work(scripts);
    } finally {
      await signals?.close();
      await m.close();
    }
  };

  program
    .command('sales:import')
    .description('Import a YAML or JSON sales script (creates it or replaces its draft)')
    .argument('<file>', 'script file')
    .option('--publish', 'publish it as a new version')
    .option('--changelog <text>', 'changelog of the published version', 'Imported from a file')
    .option('--author <name>', 'author recorded with the draft and version', 'cli')
    .action(async (file: string, opts: { publish?: boolean; changelog: string; author: string }) => {
      try {
        const text = await readFile(file, 'utf8');
        const result = await withScripts((s) =>
          s.importFile(text, opts.author, { publish: opts.publish, changelog: opts.changelog }),
        );
        io.out(
          `${result.created ? 'Created' : 'Updated the draft of'} script ${result.id}${result.published ? `; published version ${result.published.number}` : ''}`,
        );
      } catch (error) {
        fail(error);
      }
    });

  program
    .command('sales:export')
    .description('Export a sales script (its published version, or the draft) as YAML or JSON')
    .argument('<id>', 'script id')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('--draft', 'export the draft instead of the published version')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (id: string, opts: { format: string; draft?: boolean; out?: string }) => {
      try {
        const format = opts.format === 'json' ? 'json' : 'yaml';
        const text = await withScripts((s) => s.exportFile(id, format, { draft: opts.draft }));
        if (opts.out) {
          await writeFile(opts.out, text);
          io.out(`Wrote ${opts.out}`);
        } else io.out(text.trimEnd());
      } catch (error) {
        fail(error);
      }
    });

  program
    .command('sales:eval')
    .description('Replay labelled conversations (JSONL) through the sales pipeline and print the figures')
    .argument('<file>', 'JSONL file of labelled conversations')
    .option('--script <id>', 'script to use for every conversation')
    .action(async (file: string, opts: { script?: string }) => {
      try {
        const conversations = parseEvalFile(await readFile(file, 'utf8'));
        const app = (await getApp()) as CliApp;
        const config = app.pluginConfig<SalesConfig>('sales');
        const files = new Map<string, ScriptDefinition>();
        for (const path of config.scriptFiles) {
          const parsed = parseScriptFile(await readFile(path, 'utf8'));
          files.set(parsed.id, parsed.definition);
        }
        const m = await app.openMaintenance();
        const logger = pino({ level: 'silent' });
        const { createAiServices } = await coreRuntime();
        const ai = createAiServices({
          config: app.config ?? ({} as CoreConfig),
          sequelize: m.database.sequelize,
          crypto: createAesGcmCrypto(randomBytes(32)),
          logger,
        });
        try {
          await m.migrator.up();
          const scripts = new ScriptService(new Sql(m.database.sequelize));
          const find = async (slug: string) =>
            (await scripts.loadPublished(slug))?.definition ?? files.get(slug) ?? null;
          const report = await runEvaluation(
            ai.llmFor('sales'),
            conversations,
            async (c) => {
              const slug = opts.script ?? c.script ?? config.defaultScript;
              return (await find(`${slug}-${c.language}`)) ?? (await find(slug));
            },
            { threshold: config.strategyThreshold },
          );
          for (const line of formatReport(report)) io.out(line);
        } finally {
          await ai.close();
          await m.close();
        }
      } catch (error) {
        fail(error);
      }
    });
}
