import { ErrorLedger, withErrorLedger } from '../admin-panel/error-ledger.js';
import { coreMigrations } from '../db/core-migrations.js';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import { Migrator } from '../db/migrator.js';
import { createRootContainer, registerWhenAvailable } from '../di/container.js';
import { applyServiceOverrides } from '../di/service-overrides.js';
import { resolverFor } from '../di/tokens.js';
import { BotloomError } from '../errors/botloom-error.js';
import { createErrorReporter } from '../errors/sentry-reporter.js';
import { createEventBus } from '../events/event-bus.js';
import type { EventBus } from '../events/types.js';
import { AdminTokenService } from '../http/admin-tokens.js';
import { AdminUserService } from '../http/admin-users.js';
import { createMetrics } from '../http/metrics.js';
import { publicBaseUrl } from '../http/public-url.js';
import type { WindowHit } from '../kv/kv-window.js';
import { llmProviderSecrets } from '../llm/providers.js';
import { LogBuffer } from '../logger/log-buffer.js';
import { createLogger, pluginLogger } from '../logger/logger.js';
import type { HealthStatus } from '../plugin/types.js';
import { Tokens } from '../tokens.js';
import type { App, AppState, CreateAppOptions } from './app-types.js';
import type { BootContext, Running } from './boot-context.js';
import { BootSequence, type BootStep } from './boot-sequence.js';
import { PluginRuntime } from './plugin-runtime.js';
import { resolveAppSettings } from './resolve-app-settings.js';
import { installSignalHandlers } from './signals.js';
import { botSteps } from './steps/bot-steps.js';
import { httpStep } from './steps/http-step.js';
import { infrastructureSteps } from './steps/infrastructure-steps.js';
import { pluginSteps } from './steps/plugin-steps.js';

export type { App, AppState, CreateAppOptions, Maintenance, PluginInfo } from './app-types.js';

/**
 * Composes plugins into an app. Validates every manifest, the dependency graph, the service
 * wiring and every setting of core and of every plugin up front, throwing ONE BootError that
 * lists all problems. Nothing starts until `start()`, which runs the boot steps in order;
 * `stop()` undoes them in reverse.
 */
const cpuMs = (usage: NodeJS.CpuUsage) => Math.round((usage.user + usage.system) / 1000);

export function createApp(options: CreateAppOptions): App {
  // Milliseconds since the process started: before this, node and the app's imports.
  const createdAtMs = performance.now();
  const importsCpuMs = cpuMs(process.cpuUsage());
  const { config, plugins, pluginConfigs, settingRows, dataDir, configWarnings } =
    resolveAppSettings(options);
  const logBuffer = new LogBuffer();
  const logger =
    options.logger ??
    createLogger({
      tee: logBuffer,
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
  const root = createRootContainer();
  const events: EventBus = createEventBus({
    logger: logger.child({ component: 'events' }),
    declaredEvents: plugins.flatMap((p) => p.events ?? []),
  });
  const running: Running = {};
  // Errors the boundaries report are also counted in the database for the dashboard.
  const errorReporter = withErrorLedger(
    createErrorReporter({ config, logger, plugins }),
    new ErrorLedger(
      () => running.database?.sequelize,
      (err) => logger.debug({ err }, 'error not recorded for the dashboard'),
    ),
  );
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
  registerWhenAvailable(root, Tokens.Signals, () => running.signals);
  registerWhenAvailable(root, Tokens.Realtime, () => running.realtime);
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
    registerWhenAvailable(container, Tokens.RateWindows, () => {
      const kv = running.kv;
      return kv && { hit: (key: string, hit: WindowHit) => kv.hitWindow(id, key, hit) };
    });
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

  const openDb = (attachToRunning = false) =>
    openDatabase({
      url: config.DATABASE_URL,
      dataDir,
      logger: logger.child({ component: 'database' }),
      attachToRunning,
      embeddedSocket: config.EMBEDDED_PG_SOCKET,
    });

  // ---- boot steps, in start order; stop() runs their `stop` in reverse ----

  const ctx: BootContext = {
    options,
    config,
    logger,
    metrics,
    errorReporter,
    root,
    runtimes,
    running,
    dataDir,
    logBuffer,
    migratorFor,
    openDb,
    app: () => app,
  };
  const core = infrastructureSteps(ctx);
  const bot = botSteps(ctx);
  const hooks = pluginSteps(ctx);
  let removeSignalHandlers: (() => void) | undefined;
  const signalsStep: BootStep = {
    name: 'signals',
    start() {
      if (options.handleSignals) removeSignalHandlers = installSignalHandlers(() => app.stop(), logger);
    },
    stop: () => removeSignalHandlers?.(),
  };

  // The start order; stop() runs it backwards (bot intake first, the database last).
  const boot = new BootSequence(
    [
      { name: 'error tracking', start: () => errorReporter.start(), stop: () => errorReporter.close() },
      hooks.registerStep,
      core.cryptoStep,
      core.databaseStep,
      core.kvStep,
      core.crossInstanceSignalsStep,
      core.jobQueueStep,
      core.filesStep,
      core.aiStep,
      core.i18nStep,
      bot.sandboxStep,
      bot.botRuntimeStep,
      hooks.servicesStep,
      bot.botHandlersStep,
      hooks.jobsStep,
      httpStep(ctx).httpStep,
      hooks.jobWorkersStep,
      ...hooks.startSteps,
      bot.botIntakeStep,
      signalsStep,
    ],
    logger,
  );

  const createAppMs = () => Math.round(performance.now() - createdAtMs);
  let createdMs: number | undefined;

  async function doStart(): Promise<void> {
    state = 'starting';
    const started = Date.now();
    createdMs ??= createAppMs();
    try {
      await boot.start();
      state = 'ready';
      logger.info(
        {
          url: running.url,
          plugins: plugins.map((p) => p.id),
          sandbox: running.sandbox?.urls,
          ms: Date.now() - started,
          // Steps of 20 ms or more: what dominates the start.
          stepsMs: Object.fromEntries(Object.entries(boot.durations).filter(([, ms]) => ms >= 20)),
          // The whole way from the process start: node and the imports (until createApp),
          // createApp itself (settings), the time until start() was called, the boot steps,
          // and each plugin's services stage and start hook.
          phasesMs: {
            imports: Math.round(createdAtMs),
            importsCpu: importsCpuMs,
            createApp: createdMs,
            boot: Date.now() - started,
            sinceProcessStart: Math.round(performance.now()),
            // CPU of this process until now (user + system): less skewed by a busy machine.
            cpu: cpuMs(process.cpuUsage()),
            ...hooks.pluginDurations,
          },
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
            result[runtime.id] = {
              ok: false,
              details: { error: cause instanceof Error ? cause.message : String(cause) },
            };
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
      // The CLI next to a running app: use its embedded PostgreSQL rather than start a second one.
      const database = await openDb(true);
      return {
        database,
        migrator: migratorFor(database),
        adminTokens: new AdminTokenService(database.sequelize),
        adminUsers: new AdminUserService(database.sequelize),
        close: () => database.close(),
      };
    },
  };
  return app;
}
