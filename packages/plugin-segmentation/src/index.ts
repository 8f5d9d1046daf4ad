import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { coreServices, definePlugin, type JobDefinition, Tokens } from '@botloom/core';
import { segmentationAdminPages, segmentationAdminWidgets } from './admin/admin-pages.js';
import { setupSegmentationAdmin } from './admin/segmentation-admin.js';
import { setupSegmentationBot } from './bot/segmentation-bot.js';
import { registerSegmentationCli } from './cli/segmentation-cli.js';
import { SegmentationConfig, type SegmentationOptions } from './config.js';
import { segmentationMigrations } from './migrations/0001-create-segmentation.js';
import { SegmentationError } from './services/errors.js';
import type { RecomputeRequest } from './services/recompute-service.js';
import { createSegmentationServices, type SegmentationServices } from './services/segmentation-service.js';
import { SETTING_DESCRIPTIONS_RU } from './setting-descriptions-ru.js';
import { segmentationServicesRef } from './tokens.js';

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

function recomputeJob(cron: string | undefined): JobDefinition<RecomputeJobData, SegmentationServices> {
  return {
    name: 'recompute',
    cron: cron || undefined,
    cronData: { trigger: 'schedule' },
    retryLimit: 2,
    retryDelaySeconds: 30,
    expireInSeconds: 3600,
    async handler(data, ctx) {
      const services = ctx.services;
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
  return definePlugin({
    id: SEGMENTATION_PLUGIN_ID,
    version: packageJson.version,
    core: '^0.1.0',
    config: SegmentationConfig,
    settingDescriptions: { ru: SETTING_DESCRIPTIONS_RU },
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
          ru: 'Профиль и сегмент клиента: /segment НОМЕР_КАРТЫ',
        },
      },
      {
        command: 'insight',
        description: {
          en: 'AI insight for a client: /insight CARD_ID',
          ru: 'Вывод ИИ по клиенту: /insight НОМЕР_КАРТЫ',
        },
      },
      { command: 'random', description: { en: 'A random client', ru: 'Случайный клиент' } },
      {
        command: 'clients',
        description: { en: 'All clients and their segments', ru: 'Все клиенты и их сегменты' },
      },
      {
        command: 'segments',
        description: { en: 'Clients by segment', ru: 'Распределение клиентов по сегментам' },
      },
    ],
    conversation: { intro: 'segmentation-intro' },
    provides: [segmentationServicesRef],
    services: {
      deps: { database: coreServices.database, llm: coreServices.llm },
      init({ deps, config, expose }) {
        const services = createSegmentationServices(deps.database, config, deps.llm);
        expose(segmentationServicesRef, services);
        return services;
      },
    },
    // The schedule is a setting (BOTLOOM_SEGMENTATION_SCHEDULE_CRON, .env or options).
    jobs: (config) => [recomputeJob(config.scheduleCron)],
    cli({ program, getApp, io }) {
      registerSegmentationCli(program, getApp, io);
    },
    bot: setupSegmentationBot,
    admin: setupSegmentationAdmin,
    async start({ services, config, logger }) {
      const added = await services.allowlist.bootstrap(config.allowedUserIds);
      if (added > 0) logger.info({ added }, 'segmentation: allowlist bootstrapped from config');
      const recovered = await services.imports.recoverInterrupted();
      if (recovered > 0) logger.warn({ recovered }, 'segmentation: interrupted imports marked failed');
    },
    async health({ services }) {
      const run = await services.queries.latestRun();
      return { ok: true, details: { version: run?.version ?? null, clients: run?.nClients ?? 0 } };
    },
  });
}

export default segmentationPlugin;
export { registerSegmentationCli } from './cli/segmentation-cli.js';
export { DEFAULT_FX_RATES, SegmentationConfig, type SegmentationOptions } from './config.js';
export { renderDistributionChart, renderProfileChart } from './services/charts.js';
export { chooseKBySilhouette } from './services/clustering.js';
export { SegmentationError, type SegmentationErrorCode } from './services/errors.js';
export { FEATURE_NAMES, FEATURES } from './services/features.js';
export { generateClients, writeGeneratedCsv } from './services/generator.js';
export type { ImportOptions, ImportReport, ImportResult } from './services/import-service.js';
export { adjustedRandIndex, silhouetteScore } from './services/metrics.js';
export type { SegmentLabel } from './services/naming.js';
export { createSegmentationServices, type SegmentationServices } from './services/segmentation-service.js';
export { type ColumnMapping, TRANSACTION_FIELDS } from './services/transaction-schema.js';
export { SegmentationTokens, segmentationServicesRef } from './tokens.js';
