import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { coreServices, createServiceRef, definePlugin, optional, Tokens } from '@botloom/core';
import { salesAdminPages, salesAdminWidgets } from './admin/admin-pages.js';
import { salesAdminRoutes } from './admin/sales-admin-routes.js';
import { createSalesComposer } from './bot/sales-composer.js';
import { registerSalesCli } from './cli/sales-cli.js';
import { type SalesConfig, SalesConfigSchema } from './config.js';
import { createEducationModule, educationAdminPages, educationJobs } from './education/index.js';
import { salesJobs } from './jobs.js';
import { salesMigrations } from './migrations/0001-create-sales-tables.js';
import { educationGroupsMigration } from './migrations/0002-education-groups.js';
import { idempotentClientMessagesMigration } from './migrations/0003-idempotent-client-messages.js';
import { educationGroupPostsMigration } from './migrations/0004-education-group-posts.js';
import { parseScriptFile, scriptFileId } from './script/script-file.js';
import type { Clock } from './services/ports.js';
import { createSalesServices, type SalesServices } from './services/sales-services.js';

export { type SalesConfig, SalesConfigSchema } from './config.js';
export { type EvalConversation, EvalConversationSchema, parseEvalFile } from './eval/eval-format.js';
export { type EvalReport, formatReport, runEvaluation } from './eval/eval-runner.js';
export { diffScripts, type ScriptChange } from './script/script-diff.js';
export { parseScriptFile, serialiseScriptFile } from './script/script-file.js';
export * from './script/script-schema.js';
export { parseScript } from './script/validate-script.js';
export type { MessageAnalysis } from './services/analysis.js';
export type {
  EducationGroupPort,
  EducationOfferInput,
  EducationOfferResult,
} from './services/education-port.js';

import { SETTING_DESCRIPTIONS_RU } from './setting-descriptions-ru.js';

export * from './services/errors.js';
export type { SalesServices } from './services/sales-services.js';
export { decideStage } from './services/stage-machine.js';
export { type Strategy, selectStrategy } from './services/strategy.js';

const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
  version: string;
};

/** The shipped demo scripts: an online course, in English (`course`) and Russian (`course-ru`). */
export const DEMO_SCRIPT_FILES = [
  fileURLToPath(new URL('../scripts/course.en.yaml', import.meta.url)),
  fileURLToPath(new URL('../scripts/course.ru.yaml', import.meta.url)),
];

/**
 * The plugin's services, for plugins that list `sales` in `dependsOn` and this ref in
 * `services.deps` (the education part plugs its EducationGroupPort in with `setEducation`).
 */
export const salesServicesRef = createServiceRef<SalesServices>({ id: 'sales.services', owner: 'sales' });

export type SalesOptions = Partial<import('zod').input<typeof SalesConfigSchema>>;

/** Code-only wiring (not settings): a clock for tests. */
export interface SalesWiring {
  clock?: Clock;
}

/** Script-driven sales conversations with the 80/20 strategy and hot-reloaded scripts. */
export default function salesPlugin(options: SalesOptions = {}, wiring: SalesWiring = {}) {
  return definePlugin({
    id: 'sales',
    version: pkg.version,
    core: '^0.1.0',
    config: SalesConfigSchema,
    settingDescriptions: { ru: SETTING_DESCRIPTIONS_RU },
    options,
    locales: fileURLToPath(new URL('../locales/', import.meta.url)),
    migrations: [
      ...salesMigrations,
      educationGroupsMigration,
      idempotentClientMessagesMigration,
      educationGroupPostsMigration,
    ],
    adminPages: [...salesAdminPages, ...educationAdminPages],
    adminWidgets: salesAdminWidgets,
    // Read from ctx.config on every message, so a change from the panel applies at once.
    runtimeSettings: ['strategyThreshold', 'maxMessageChars', 'managerChatIds', 'managerLocale'],
    jobs: [...salesJobs(), ...educationJobs<SalesServices>((s) => s.educationGroups)],
    commands: [
      {
        command: 'stop',
        description: { en: 'Stop the course advisor', ru: 'Остановить консультанта по курсу' },
      },
    ],
    provides: [salesServicesRef],
    services: {
      deps: {
        sequelize: coreServices.database,
        crypto: coreServices.crypto,
        llm: coreServices.llm,
        jobs: coreServices.jobs,
        signals: optional(coreServices.signals),
        i18n: coreServices.i18n,
        logger: coreServices.logger,
      },
      init({ deps, config, expose, resolve }) {
        // Resolved when sending: an app without a bot (sandbox: false) registers the token but
        // throws on resolving it, even through optional().
        const telegram = () => {
          try {
            return resolve(Tokens.TelegramApi);
          } catch {
            return undefined;
          }
        };
        const salesConfig = config as SalesConfig;
        const services = createSalesServices({
          ...deps,
          telegram,
          config: salesConfig,
          clock: wiring.clock,
          educationGroups: (scenarioFor) =>
            createEducationModule({
              database: deps.sequelize,
              crypto: deps.crypto,
              llm: deps.llm,
              telegram: telegram(),
              i18n: deps.i18n,
              config: salesConfig,
              logger: deps.logger,
              jobs: deps.jobs,
              scenarioFor,
              // The sales reply carries the invite link; the module need not send it again.
              announceInvites: false,
              signals: deps.signals,
            }),
        });
        expose(salesServicesRef, services);
        return services;
      },
    },
    conversation: {
      intro: 'sales-intro',
      menu: 'sales-menu',
      deepLinks: ['sales-'],
      freeText: 'claimed',
      opensOnMenu: true,
    },
    userData: {
      describe: 'sales-user-data',
      async erase(userId, { services }) {
        await services.store.eraseUser(userId);
        await services.educationGroups?.eraseUser(userId);
      },
    },
    bot({ composer, services }) {
      // First: chat_member and chat_shared updates, and messages in education groups.
      if (services.educationGroups) composer.use(services.educationGroups.composer());
      composer.use(createSalesComposer(() => services));
    },
    admin({ router, services }) {
      salesAdminRoutes(router, () => services);
      services.educationGroups?.registerAdminRoutes(router);
    },
    cli(ctx) {
      registerSalesCli(ctx);
    },
    async start({ services, config, logger }) {
      await services.published.start();
      await services.educationGroups?.start();
      for (const file of config.scriptFiles) {
        try {
          const text = await readFile(file, 'utf8');
          // Imported at an earlier start: known by its id line, without parsing the whole file.
          const knownId = scriptFileId(text);
          if (knownId !== undefined && (await services.scripts.exists(knownId))) continue;
          const parsed = parseScriptFile(text);
          if (await services.scripts.exists(parsed.id)) continue;
          await services.scripts.create(parsed.id, parsed.definition, 'scriptFiles');
          await services.scripts.publish(parsed.id, 'scriptFiles', `Imported from ${file}`);
          logger.info({ script: parsed.id }, 'sales: script imported and published');
        } catch (err) {
          logger.error({ err, file }, 'sales: a script file could not be imported');
        }
      }
    },
    async stop({ services }) {
      await services.published.stop();
      await services.educationGroups?.stop();
    },
    async health({ services }) {
      const scripts = await services.scripts.list();
      return {
        ok: true,
        details: { scripts: scripts.length, published: scripts.filter((s) => s.publishedVersion).length },
      };
    },
  });
}

export { salesPlugin };
