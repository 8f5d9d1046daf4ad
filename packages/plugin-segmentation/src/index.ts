import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { definePlugin, type JobDefinition, type Llm, Tokens } from '@botloom/core';
import { instanceCachingFactory } from 'tsyringe';
import { segmentationAdminPages, segmentationAdminWidgets } from './admin/admin-pages.js';
import { setupSegmentationAdmin } from './admin/segmentation-admin.js';
import { setupSegmentationBot } from './bot/segmentation-bot.js';
import { registerSegmentationCli } from './cli/segmentation-cli.js';
import { SegmentationConfig, type SegmentationOptions } from './config.js';
import { segmentationMigrations } from './migrations/0001-create-segmentation.js';
import { SegmentationError } from './services/errors.js';
import type { RecomputeRequest } from './services/recompute-service.js';
import { createSegmentationServices } from './services/segmentation-service.js';
import { SegmentationTokens } from './tokens.js';

declare module '@botloom/core/events' {
  interface BotloomEvents {
    'segmentation.import.completed': { importId: number; rows: number };
    'segmentation.run.completed': { runId: number; version: number; k: number; clients: number };
  }
}

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export const SEGMENTATION_PLUGIN_ID = 'segmentation';

export type RecomputeJobData = Pick<RecomputeRequest, 'trigger' | 'k'>;

function recomputeJob(cron: string | undefined): JobDefinition<RecomputeJobData> {
  return {
    name: 'recompute',
    cron: cron || undefined,
    cronData: { trigger: 'schedule' },
    retryLimit: 2,
    retryDelaySeconds: 30,
    expireInSeconds: 3600,
    async handler(data, ctx) {
      const services = ctx.resolve(SegmentationTokens.Services);
      try {
        const run = await services.recompute.recompute({ trigger: data?.trigger ?? 'manual', k: data?.k });
        ctx.logger.info(
          { runId: run.id, version: run.version, k: run.k, clients: run.nClients },
          'segmentation: run completed',
        );
        await ctx.resolve(Tokens.Events).emit('segmentation.run.completed', {
          runId: run.id,
          version: run.version ?? 0,
          k: run.k ?? 0,
          clients: run.nClients ?? 0,
        });
      } catch (error) {
        // Nothing to segment (or already running): not worth a retry.
        if (error instanceof SegmentationError) {
          ctx.logger.warn({ code: error.code }, `segmentation: recompute skipped: ${error.message}`);
          return;
        }
        throw error;
      }
    },
  };
}

/**
 * Behavioural customer segmentation: transaction import, features, KMeans segments, AI
 * insights and charts, for allowlisted analysts in Telegram and admins over HTTP.
 */
export function segmentationPlugin(options: SegmentationOptions = {}) {
  const cron = options.scheduleCron ?? process.env.BOTLOOM_SEGMENTATION_SCHEDULE_CRON;
  return definePlugin({
    id: SEGMENTATION_PLUGIN_ID,
    version: packageJson.version,
    core: '^0.1.0',
    config: SegmentationConfig,
    options,
    locales: fileURLToPath(new URL('../locales/', import.meta.url)),
    migrations: segmentationMigrations,
    adminPages: segmentationAdminPages,
    adminWidgets: segmentationAdminWidgets,
    events: ['segmentation.import.completed', 'segmentation.run.completed'],
    commands: [
      {
        command: 'segment',
        description: {
          en: 'Client profile and segment: /segment CARD_ID',
          ru: 'Профиль и сегмент клиента: /segment CARD_ID',
        },
      },
      {
        command: 'insight',
        description: {
          en: 'AI insight for a client: /insight CARD_ID',
          ru: 'AI-инсайт по клиенту: /insight CARD_ID',
        },
      },
      { command: 'random', description: { en: 'A random client', ru: 'Случайный клиент' } },
      { command: 'clients', description: { en: 'All card ids', ru: 'Список всех card_id' } },
      {
        command: 'segments',
        description: { en: 'Clients by segment', ru: 'Распределение клиентов по сегментам' },
      },
    ],
    jobs: [recomputeJob(cron)],
    register({ container, config }) {
      container.register(SegmentationTokens.Config, { useValue: config });
      container.register(SegmentationTokens.Services, {
        useFactory: instanceCachingFactory((c) => {
          let llm: Llm | undefined;
          try {
            llm = c.resolve(Tokens.Llm);
          } catch {
            llm = undefined;
          }
          return createSegmentationServices(c.resolve(Tokens.Database), config, llm);
        }),
      });
    },
    cli({ program, getApp, io }) {
      registerSegmentationCli(program, getApp, io);
    },
    bot: setupSegmentationBot,
    admin: setupSegmentationAdmin,
    async start({ resolve, config, logger }) {
      const services = resolve(SegmentationTokens.Services);
      const added = await services.allowlist.bootstrap(config.allowedUserIds);
      if (added > 0) logger.info({ added }, 'segmentation: allowlist bootstrapped from config');
      const recovered = await services.imports.recoverInterrupted();
      if (recovered > 0) logger.warn({ recovered }, 'segmentation: interrupted imports marked failed');
    },
    async health({ resolve }) {
      const run = await resolve(SegmentationTokens.Services).queries.latestRun();
      return { ok: true, details: { version: run?.version ?? null, clients: run?.nClients ?? 0 } };
    },
  });
}

export default segmentationPlugin;
export { registerSegmentationCli } from './cli/segmentation-cli.js';
export { DEFAULT_FX_RATES, SegmentationConfig, type SegmentationOptions } from './config.js';
export { renderDistributionChart, renderProfileChart } from './services/charts.js';
export { chooseKBySilhouette, fitKMeans } from './services/clustering.js';
export { SegmentationError, type SegmentationErrorCode } from './services/errors.js';
export { FEATURE_NAMES, FEATURES } from './services/features.js';
export { generateClients, writeGeneratedCsv } from './services/generator.js';
export type { ImportOptions, ImportReport, ImportResult } from './services/import-service.js';
export { adjustedRandIndex, silhouetteScore } from './services/metrics.js';
export type { SegmentLabel } from './services/naming.js';
export { createSegmentationServices, type SegmentationServices } from './services/segmentation-service.js';
export { type ColumnMapping, TRANSACTION_FIELDS } from './services/transaction-schema.js';
export { SegmentationTokens } from './tokens.js';
