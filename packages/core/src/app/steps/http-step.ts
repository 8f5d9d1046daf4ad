import { createAdminPanel, panelPluginsOf, pluginModuleFiles } from '../../admin-panel/admin-panel.js';
import { RuntimeSettings, runtimeSettingsOwners } from '../../config/runtime-settings.js';
import { BootError, BotloomError } from '../../errors/botloom-error.js';
import { AdminTokenService } from '../../http/admin-tokens.js';
import { createHttpServer, type RouteSetup } from '../../http/server.js';
import { llmAdminRoutes } from '../../llm/admin-routes.js';
import { bootErrorFrom } from '../../plugin/boot-problems.js';
import { listenHost } from '../../sandbox/control-access.js';
import {
  type CacheInvalidation,
  createCacheInvalidation,
  defineInvalidation,
} from '../../signals/cache-invalidation.js';
import type { BootContext } from '../boot-context.js';
import type { BootStep } from '../boot-sequence.js';
import { webhookSecret } from './bot-steps.js';

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const runtimeSettingsChannel = defineInvalidation('core.runtime-settings');

/** One HTTP server: admin API (core's, the LLM's, the inbox's and every plugin's), public plugin routes, the webhook, the sandbox's pages. */
export function httpStep(ctx: BootContext) {
  const { config, logger, metrics, errorReporter, runtimes, running, migratorFor } = ctx;

  let invalidation: CacheInvalidation | undefined;
  const httpStep: BootStep = {
    name: 'http',
    async start() {
      const adminTokens = new AdminTokenService(running.database!.sequelize);
      if (config.BOTLOOM_ADMIN_TOKEN) {
        const result = await adminTokens.ensureBootstrapToken(config.BOTLOOM_ADMIN_TOKEN);
        if (result.revoked)
          logger.warn('BOTLOOM_ADMIN_TOKEN was revoked through the admin API and no longer works');
      }
      const plugins = runtimes.map((runtime) => runtime.manifest);
      const runtimeSettings = new RuntimeSettings(
        running.database!.sequelize,
        runtimeSettingsOwners(plugins, new Map(runtimes.map((runtime) => [runtime.id, runtime.config]))),
        (skipped) => logger.warn(skipped, 'a stored runtime setting no longer applies and is ignored'),
      );
      await runtimeSettings.load();
      if (running.signals) {
        // Another instance's admin changed a setting: re-read it (and everything every minute,
        // the repair for a lost signal).
        invalidation = await createCacheInvalidation({
          signals: running.signals,
          channel: runtimeSettingsChannel,
          reload: (ids) => runtimeSettings.refresh(ids),
          reloadEveryMs: 60_000,
          logger,
        });
        const bus = invalidation;
        runtimeSettings.attach((ids) => bus.invalidate(ids));
      }
      const bot = running.bot;
      try {
        running.http = createHttpServer({
          config,
          logger: logger.child({ component: 'http' }),
          metrics,
          errorReporter,
          adminTokens,
          adminPanel: createAdminPanel({
            sequelize: running.database!.sequelize,
            logger: logger.child({ component: 'admin-panel' }),
            plugins: () => panelPluginsOf(plugins),
            moduleFiles: () => pluginModuleFiles(plugins),
            logs: ctx.logBuffer,
            runtimeSettings,
          }),
          plugins: runtimes.map((runtime) => ({
            id: runtime.id,
            admin: runtime.manifest.admin
              ? (routeCtx: RouteSetup) =>
                  runtime.invoke('admin', () => runtime.manifest.admin!({ ...runtime.context, ...routeCtx }))
              : undefined,
            http: runtime.manifest.http
              ? (routeCtx: RouteSetup) =>
                  runtime.invoke('http', () => runtime.manifest.http!({ ...runtime.context, ...routeCtx }))
              : undefined,
          })),
          coreInfo: {
            plugins: async () => {
              const health = await ctx.app().health();
              return ctx
                .app()
                .pluginInfo()
                .map((info) => ({ ...info, health: health[info.id] }));
            },
            settings: async () => ctx.app().settings(),
            migrations: async () => migratorFor(running.database!).status(),
          },
          webhook:
            config.WEBHOOK_URL && bot && config.TELEGRAM_BOT_TOKEN
              ? {
                  secret: webhookSecret(config, config.TELEGRAM_BOT_TOKEN),
                  handle: (update) => running.inbox!.accept(update),
                }
              : undefined,
          isReady: () => ctx.app().state === 'ready',
          extraRoutes: running.sandbox?.routes,
          adminRoutes: [
            ...(running.ai
              ? [llmAdminRoutes(running.ai, { pluginIds: () => runtimes.map((r) => r.id) })]
              : []),
            ...(running.inbox ? [running.inbox.adminRoutes()] : []),
          ],
        });
      } catch (err) {
        if (err instanceof BootError) throw err;
        // Route clashes and other route setup failures are boot errors, never warnings.
        throw bootErrorFrom([
          { code: err instanceof BotloomError ? err.code : 'HTTP_SETUP_FAILED', message: errorMessage(err) },
        ]);
      }
      running.url = (await running.http.listen(config.PORT, listenHost(config.HOST, !!running.sandbox))).url;
    },
    async stop() {
      await invalidation?.close().catch(() => undefined);
      await running.http?.close();
    },
  };

  return { httpStep };
}
