import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { type BotRuntime, createBotRuntime } from '../bot/bot-runtime.js';
import type { CoreConfig } from '../config/core-config.js';
import { createAesGcmCrypto } from '../crypto/aes-gcm.js';
import { loadEncryptionKey } from '../crypto/encryption-key.js';
import type { Crypto } from '../crypto/types.js';
import { coreMigrations } from '../db/core-migrations.js';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import { Migrator } from '../db/migrator.js';
import { createRootContainer, ExposedTokens, registerWhenAvailable } from '../di/container.js';
import { applyServiceOverrides } from '../di/service-overrides.js';
import { resolverFor } from '../di/tokens.js';
import { BootError, BotloomError } from '../errors/botloom-error.js';
import { createErrorReporter } from '../errors/sentry-reporter.js';
import { createEventBus } from '../events/event-bus.js';
import type { EventBus } from '../events/types.js';
import { createFileStorage, type ManagedFileStorage } from '../files/file-storage.js';
import { AdminTokenService } from '../http/admin-tokens.js';
import { createMetrics } from '../http/metrics.js';
import { publicBaseUrl } from '../http/public-url.js';
import { createHttpServer, type HttpServer, type RouteSetup } from '../http/server.js';
import { type BotI18n, createI18n } from '../i18n/create-i18n.js';
import { createUpdateInboxService, type UpdateInboxService } from '../inbox/update-inbox-service.js';
import { JobQueue } from '../jobs/job-queue.js';
import { createKvFactory, type KvFactory } from '../kv/kv-factory.js';
import { llmAdminRoutes } from '../llm/admin-routes.js';
import { type AiServices, createAiServices } from '../llm/ai-services.js';
import { llmProviderSecrets } from '../llm/providers.js';
import { createLogger, pluginLogger } from '../logger/logger.js';
import { type BootProblem, bootErrorFrom } from '../plugin/boot-problems.js';
import { hookProblem } from '../plugin/invoke-hook.js';
import { ServiceExposure } from '../plugin/service-wiring.js';
import type { HealthStatus } from '../plugin/types.js';
import { listenHost } from '../sandbox/control-access.js';
import { Tokens } from '../tokens.js';
import type { App, AppState, CreateAppOptions } from './app-types.js';
import { BootSequence, type BootStep } from './boot-sequence.js';
import { botPluginExtras } from './plugin-bot-extras.js';
import { PluginRuntime } from './plugin-runtime.js';
import { resolveAppSettings } from './resolve-app-settings.js';
import type { SandboxFactory, SandboxHandle } from './sandbox-seam.js';
import { installSignalHandlers } from './signals.js';

export type { App, AppState, CreateAppOptions, Maintenance, PluginInfo } from './app-types.js';

/** What the boot steps have brought up so far; each is set by exactly one step. */
interface Running {
  crypto?: Crypto;
  database?: DatabaseHandle;
  kv?: KvFactory;
  jobs?: JobQueue;
  files?: ManagedFileStorage;
  ai?: AiServices;
  i18n?: BotI18n;
  sandbox?: SandboxHandle;
  bot?: BotRuntime;
  inbox?: UpdateInboxService;
  http?: HttpServer;
  url?: string;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The webhook secret: WEBHOOK_SECRET, or one derived from the bot token (stable across instances). */
function webhookSecret(config: CoreConfig, token: string): string {
  return config.WEBHOOK_SECRET ?? createHmac('sha256', token).update('botloom-webhook').digest('hex');
}

/** The sandbox is loaded only when an app without TELEGRAM_BOT_TOKEN starts one. */
const loadDefaultSandbox: SandboxFactory = async (options) =>
  (await import('../sandbox/index.js')).startSandbox(options);

/**
 * Composes plugins into an app. Validates every manifest, the dependency graph, the service
 * wiring and every setting of core and of every plugin up front, throwing ONE BootError that
 * lists all problems. Nothing starts until `start()`, which runs the boot steps in order;
 * `stop()` undoes them in reverse.
 */
export function createApp(options: CreateAppOptions): App {
  const { config, plugins, pluginConfigs, settingRows, dataDir, configWarnings } =
    resolveAppSettings(options);
  const logger =
    options.logger ??
    createLogger({
      level: config.LOG_LEVEL,
      format: config.LOG_FORMAT,
      production: config.NODE_ENV === 'production',
      quietBoot: options.quietBoot,
      secrets: [
        config.TELEGRAM_BOT_TOKEN,
        config.OPENAI_API_KEY,
        config.ENCRYPTION_KEY,
        config.WEBHOOK_SECRET,
        config.BOTLOOM_ADMIN_TOKEN,
        config.S3_SECRET_ACCESS_KEY,
        ...llmProviderSecrets(config),
      ],
    });
  for (const warning of configWarnings) logger.warn(warning);
  const metrics = createMetrics({ defaultMetrics: config.NODE_ENV !== 'test' });
  const errorReporter = createErrorReporter({ config, logger, plugins });
  const root = createRootContainer();
  const events: EventBus = createEventBus({
    logger: logger.child({ component: 'events' }),
    declaredEvents: plugins.flatMap((p) => p.events ?? []),
  });
  const running: Running = {};
  let state: AppState = 'created';
  let startPromise: Promise<void> | undefined;
  let stopPromise: Promise<void> | undefined;

  // Core services. The ones that exist only after start() fail clearly when resolved earlier.
  root.register(Tokens.CoreConfig, { useValue: config });
  root.register(Tokens.Logger, { useValue: logger });
  root.register(Tokens.Events, { useValue: events });
  root.register(Tokens.PublicUrl, {
    useValue: { base: () => publicBaseUrl(config.PUBLIC_URL, running.url) },
  });
  registerWhenAvailable(root, Tokens.Database, () => running.database?.sequelize);
  registerWhenAvailable(root, Tokens.Crypto, () => running.crypto);
  registerWhenAvailable(root, Tokens.TelegramApi, () => running.bot?.api);
  registerWhenAvailable(root, Tokens.I18n, () => running.i18n?.translator);
  registerWhenAvailable(root, Tokens.Files, () => running.files);
  registerWhenAvailable(root, Tokens.Embeddings, () => running.ai?.embeddings);
  registerWhenAvailable(root, Tokens.VectorStore, () => running.ai?.vectorStore);
  registerWhenAvailable(root, Tokens.LlmUsage, () => running.ai?.usage);
  registerWhenAvailable(root, Tokens.Kv, () => running.kv?.namespace('core'));
  registerWhenAvailable(root, Tokens.Jobs, () => running.jobs?.forPlugin('core'));
  registerWhenAvailable(root, Tokens.Llm, () => running.ai?.llmFor('core'));
  applyServiceOverrides(root, options.serviceOverrides);

  const runtimes = plugins.map((manifest) => {
    const id = manifest.id;
    const container = root.createChildContainer();
    const log = pluginLogger(logger, id);
    container.register(Tokens.Logger, { useValue: log });
    container.register(Tokens.PluginConfig, { useValue: pluginConfigs.get(id) });
    registerWhenAvailable(container, Tokens.Kv, () => running.kv?.namespace(id));
    registerWhenAvailable(container, Tokens.Jobs, () => running.jobs?.forPlugin(id));
    registerWhenAvailable(container, Tokens.Llm, () => running.ai?.llmFor(id));
    applyServiceOverrides(container, options.serviceOverrides);
    return new PluginRuntime(manifest, container, pluginConfigs.get(id), log);
  });

  function migrationSources() {
    return [
      { pluginId: 'core', migrations: coreMigrations },
      ...plugins.map((p) => ({ pluginId: p.id, migrations: p.migrations ?? [] })),
    ];
  }

  function migratorFor(database: DatabaseHandle): Migrator {
    return new Migrator({
      sequelize: database.sequelize,
      logger: logger.child({ component: 'migrations' }),
      sources: migrationSources(),
    });
  }

  const openDb = () =>
    openDatabase({ url: config.DATABASE_URL, dataDir, logger: logger.child({ component: 'database' }) });

  // ---- boot steps, in start order; stop() runs their `stop` in reverse ----

  const registerStep: BootStep = {
    name: 'register',
    async start() {
      const exposed = new ExposedTokens();
      const failures: BootProblem[] = [];
      for (const runtime of runtimes) {
        const register = runtime.manifest.register;
        if (!register) continue;
        try {
          await register({
            ...runtime.baseContext,
            container: runtime.container,
            expose: (token, factory) => exposed.expose(root, runtime, token, factory),
          });
        } catch (err) {
          failures.push(hookProblem(runtime.id, 'register', err));
        }
      }
      if (failures.length) throw bootErrorFrom(failures);
    },
  };

  const cryptoStep: BootStep = {
    name: 'crypto',
    async start() {
      const key = await loadEncryptionKey({
        value: config.ENCRYPTION_KEY,
        dataDir,
        production: config.NODE_ENV === 'production',
        logger,
      });
      running.crypto = createAesGcmCrypto(key);
    },
  };

  const databaseStep: BootStep = {
    name: 'database',
    async start() {
      running.database = await openDb();
      const migrator = migratorFor(running.database);
      if (config.BOTLOOM_AUTO_MIGRATE) {
        const executed = await migrator.up();
        if (executed.length) logger.info({ migrations: executed }, `applied ${executed.length} migration(s)`);
        return;
      }
      const pending = await migrator.pending();
      if (pending.length) {
        throw new BootError(
          'PENDING_MIGRATIONS',
          `BOTLOOM_AUTO_MIGRATE=false and ${pending.length} migration(s) are pending (${pending.join(', ')}): run \`botloom migrate\` first`,
        );
      }
    },
    stop: () => running.database?.close(),
  };

  const kvStep: BootStep = {
    name: 'kv',
    start() {
      running.kv = createKvFactory({ url: config.KV_URL, databaseUrl: running.database!.url, logger });
    },
    stop: () => running.kv?.close(),
  };

  const filesStep: BootStep = {
    name: 'files',
    async start() {
      const files = createFileStorage({ dataDir, sequelize: running.database!.sequelize, logger, config });
      await files.init(); // S3: a missing bucket or rejected credentials stop the boot here
      running.files = files;
    },
    stop: () => running.files?.close(),
  };

  const aiStep: BootStep = {
    name: 'ai',
    async start() {
      running.ai = createAiServices({
        config,
        sequelize: running.database!.sequelize,
        crypto: running.crypto!,
        dataDir,
        logger,
        metrics,
      });
      await running.ai.start();
      const ai = running.ai.describe();
      if (ai.offline)
        logger.warn(
          'LLM: no OPENAI_API_KEY or OPENAI_BASE_URL, the offline provider answers (no real model)',
        );
      else
        logger.info(
          { endpoint: ai.endpoint, model: ai.model, embeddings: ai.embeddings, providers: ai.providers },
          'LLM endpoint configured',
        );
    },
    stop: () => running.ai?.close(),
  };

  const i18nStep: BootStep = {
    name: 'i18n',
    start() {
      running.i18n = createI18n({
        sources: runtimes
          .filter((r) => r.manifest.locales)
          .map((r) => ({ pluginId: r.id, locales: r.manifest.locales! })),
        logger: logger.child({ component: 'i18n' }),
      });
    },
  };

  const sandboxStep: BootStep = {
    name: 'sandbox',
    async start() {
      if (config.TELEGRAM_BOT_TOKEN || options.sandbox === false) return;
      const factory = options.sandbox ?? loadDefaultSandbox;
      running.sandbox = await factory({ logger: logger.child({ component: 'sandbox' }), config, dataDir });
      logger.info(
        { apiRoot: running.sandbox.apiRoot },
        'sandbox mode: the bot talks to the local Bot API emulator',
      );
    },
    stop: () => running.sandbox?.stop(),
  };

  // The bot's Api exists before plugins build their services; their handlers come later.
  const botRuntimeStep: BootStep = {
    name: 'bot runtime',
    start() {
      const token = config.TELEGRAM_BOT_TOKEN ?? running.sandbox?.token;
      if (!token) {
        logger.warn('TELEGRAM_BOT_TOKEN is not set and the sandbox is turned off: the bot does not run');
        return;
      }
      running.bot = createBotRuntime({
        token,
        apiRoot: config.TELEGRAM_BOT_TOKEN ? config.TELEGRAM_API_ROOT : running.sandbox?.apiRoot,
        logger: logger.child({ component: 'bot' }),
        kv: running.kv!,
        i18n: running.i18n!,
        rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
        crypto: running.crypto!,
        conversationTtlMs: config.CONVERSATION_TTL_MINUTES * 60_000,
        metrics,
        floodControl: options.floodControl,
        errorReporter,
        deferPluginSetup: true,
        defaultChatOwner: config.DEFAULT_CHAT_OWNER,
        plugins: runtimes.map((runtime) => ({
          ...botPluginExtras(runtime),
          id: runtime.id,
          commands: runtime.manifest.commands ?? [],
          setup: runtime.manifest.bot
            ? (composer) =>
                runtime.invoke('bot', () => runtime.manifest.bot!({ ...runtime.context, composer }))
            : undefined,
        })),
      });
      running.inbox = createUpdateInboxService({
        databaseUrl: running.database!.url,
        crypto: running.crypto!,
        bot: running.bot,
        logger,
        settings: config,
        metrics,
      });
    },
  };

  const servicesStep: BootStep = {
    name: 'services',
    async start() {
      const exposure = new ServiceExposure(root);
      for (const runtime of runtimes) await runtime.buildServices(exposure);
    },
  };

  const botHandlersStep: BootStep = {
    name: 'bot handlers',
    start: () => running.bot?.setupPlugins(),
  };

  // The queue exists before services (they may keep `Jobs`); jobs are declared after them.
  const jobQueueStep: BootStep = {
    name: 'job queue',
    start() {
      running.jobs = new JobQueue({ databaseUrl: running.database!.url, logger, errorReporter });
    },
  };

  const jobsStep: BootStep = {
    name: 'jobs',
    start() {
      for (const runtime of runtimes) {
        running.jobs!.register(
          runtime.id,
          runtime.jobs(),
          runtime.resolve,
          runtime.logger,
          () => runtime.services,
        );
      }
    },
  };

  const httpStep: BootStep = {
    name: 'http',
    async start() {
      const adminTokens = new AdminTokenService(running.database!.sequelize);
      if (config.BOTLOOM_ADMIN_TOKEN) {
        const result = await adminTokens.ensureBootstrapToken(config.BOTLOOM_ADMIN_TOKEN);
        if (result.revoked)
          logger.warn('BOTLOOM_ADMIN_TOKEN was revoked through the admin API and no longer works');
      }
      const bot = running.bot;
      try {
        running.http = createHttpServer({
          config,
          logger: logger.child({ component: 'http' }),
          metrics,
          errorReporter,
          adminTokens,
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
              const health = await app.health();
              return app.pluginInfo().map((info) => ({ ...info, health: health[info.id] }));
            },
            settings: async () => app.settings(),
            migrations: async () => migratorFor(running.database!).status(),
          },
          webhook:
            config.WEBHOOK_URL && bot && config.TELEGRAM_BOT_TOKEN
              ? {
                  secret: webhookSecret(config, config.TELEGRAM_BOT_TOKEN),
                  handle: (update) => running.inbox!.accept(update),
                }
              : undefined,
          isReady: () => state === 'ready',
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
    stop: () => running.http?.close(),
  };

  const jobWorkersStep: BootStep = {
    name: 'job workers',
    start: () => running.jobs!.start(),
    stop: () => running.jobs?.stop(),
  };

  const pluginSteps: BootStep[] = runtimes.map((runtime) => ({
    name: `plugin ${runtime.id}`,
    async start() {
      const start = runtime.manifest.start;
      if (start) await runtime.invoke('start', () => start(runtime.context));
      runtime.logger.debug('started');
    },
    stop: runtime.manifest.stop
      ? () => runtime.invoke('stop', () => runtime.manifest.stop!(runtime.context))
      : undefined,
  }));

  const botIntakeStep: BootStep = {
    name: 'bot',
    async start() {
      const bot = running.bot;
      if (!bot) return;
      await bot.init();
      running.inbox!.start();
      if (config.WEBHOOK_URL && config.TELEGRAM_BOT_TOKEN) {
        await bot.api.setWebhook(config.WEBHOOK_URL, {
          secret_token: webhookSecret(config, config.TELEGRAM_BOT_TOKEN),
        });
        logger.info({ webhook: config.WEBHOOK_URL }, 'bot receives updates by webhook');
      } else {
        await running.inbox!.startPolling(bot.api);
        logger.info('bot receives updates by long polling');
      }
    },
    // Stops taking updates (the inbox first) and drains the ones in flight before plugins stop.
    async stop() {
      await running.inbox?.stop();
      await running.bot?.stop();
    },
  };

  let removeSignalHandlers: (() => void) | undefined;
  const signalsStep: BootStep = {
    name: 'signals',
    start() {
      if (options.handleSignals) removeSignalHandlers = installSignalHandlers(() => app.stop(), logger);
    },
    stop: () => removeSignalHandlers?.(),
  };

  const boot = new BootSequence(
    [
      { name: 'error tracking', start: () => errorReporter.start(), stop: () => errorReporter.close() },
      registerStep,
      cryptoStep,
      databaseStep,
      kvStep,
      jobQueueStep,
      filesStep,
      aiStep,
      i18nStep,
      sandboxStep,
      botRuntimeStep,
      servicesStep,
      botHandlersStep,
      jobsStep,
      httpStep,
      jobWorkersStep,
      ...pluginSteps,
      botIntakeStep,
      signalsStep,
    ],
    logger,
  );

  async function doStart(): Promise<void> {
    state = 'starting';
    const started = Date.now();
    try {
      await boot.start();
      state = 'ready';
      logger.info(
        {
          url: running.url,
          plugins: plugins.map((p) => p.id),
          sandbox: running.sandbox?.urls,
          ms: Date.now() - started,
        },
        `Botloom is ready: HTTP on ${running.url}`,
      );
    } catch (err) {
      state = 'failed';
      logger.error({ err }, 'boot failed');
      await boot
        .stop(config.SHUTDOWN_TIMEOUT_MS)
        .catch((closeErr) => logger.error({ err: closeErr }, 'cleanup after failed boot failed'));
      state = 'failed';
      throw err;
    }
  }

  const app: App = {
    get state() {
      return state;
    },
    config,
    logger,
    container: root,
    plugins,
    metrics,
    dataDir,
    get url() {
      return running.url;
    },
    get httpServer() {
      return running.http;
    },
    get bot() {
      return running.bot;
    },
    get database() {
      return running.database;
    },
    get sandbox() {
      return running.sandbox;
    },
    settings: () => settingRows.map((row) => ({ ...row })),
    pluginConfig: <T>(pluginId: string) => {
      if (!pluginConfigs.has(pluginId))
        throw new BotloomError('UNKNOWN_PLUGIN', `No plugin "${pluginId}" in this app`);
      return pluginConfigs.get(pluginId) as T;
    },
    pluginInfo: () =>
      runtimes.map((runtime) => {
        const p = runtime.manifest;
        let jobs: string[];
        try {
          jobs = runtime.jobs().map((j) => j.name);
        } catch {
          jobs = [];
        }
        return {
          id: p.id,
          version: p.version,
          dependsOn: p.dependsOn ?? [],
          commands: (p.commands ?? []).map((c) => c.command),
          migrations: (p.migrations ?? []).map((m) => m.name),
          jobs,
          events: p.events ?? [],
        };
      }),
    async health() {
      const result: Record<string, HealthStatus> = {};
      await Promise.all(
        runtimes.map(async (runtime) => {
          const health = runtime.manifest.health;
          if (!health) {
            result[runtime.id] = { ok: state === 'ready' };
            return;
          }
          try {
            result[runtime.id] = await runtime.invoke('health', () => health(runtime.context));
          } catch (err) {
            const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
            result[runtime.id] = { ok: false, details: { error: errorMessage(cause) } };
          }
        }),
      );
      return result;
    },
    resolver(pluginId?: string) {
      if (!pluginId || pluginId === 'core') return resolverFor(root, 'core');
      const runtime = runtimes.find((r) => r.id === pluginId);
      if (!runtime) throw new BotloomError('UNKNOWN_PLUGIN', `No started plugin "${pluginId}" in this app`);
      return runtime.resolve;
    },
    services<T = unknown>(pluginId: string): T {
      const runtime = runtimes.find((r) => r.id === pluginId);
      if (!runtime) throw new BotloomError('UNKNOWN_PLUGIN', `No plugin "${pluginId}" in this app`);
      return runtime.services as T;
    },
    start() {
      if (state !== 'created') {
        return (
          startPromise ??
          Promise.reject(new BotloomError('APP_STATE', `Cannot start an app that is ${state}`))
        );
      }
      startPromise = doStart();
      return startPromise;
    },
    stop() {
      if (stopPromise) return stopPromise;
      if (state === 'created' || state === 'failed') {
        state = 'stopped';
        return Promise.resolve();
      }
      stopPromise = (async () => {
        await startPromise?.catch(() => {});
        if ((state as AppState) === 'failed') return;
        state = 'stopping';
        logger.info('stopping: readiness is 503, finishing in-flight updates');
        await boot.stop(config.SHUTDOWN_TIMEOUT_MS);
        state = 'stopped';
        logger.info('Botloom stopped');
      })();
      return stopPromise;
    },
    async openMaintenance() {
      const database = await openDb();
      return {
        database,
        migrator: migratorFor(database),
        adminTokens: new AdminTokenService(database.sequelize),
        close: () => database.close(),
      };
    },
  };
  return app;
}
