import { createHmac } from 'node:crypto';
import { activityRecorder } from '../../admin-panel/activity.js';
import { BOT_ALLOWED_UPDATES } from '../../bot/allowed-updates.js';
import { createBotRuntime } from '../../bot/bot-runtime.js';
import { floodControlFromSettings } from '../../bot/flood-settings.js';
import { RATE_LIMIT_WINDOW_MS } from '../../bot/user-rate-limiter.js';
import type { CoreConfig } from '../../config/core-config.js';
import { createUpdateInboxService } from '../../inbox/update-inbox-service.js';
import type { BootContext } from '../boot-context.js';
import type { BootStep } from '../boot-sequence.js';
import { botPluginExtras } from '../plugin-bot-extras.js';
import type { SandboxFactory } from '../sandbox-seam.js';

/** The webhook secret: WEBHOOK_SECRET, or one derived from the bot token (stable across instances). */
export function webhookSecret(config: CoreConfig, token: string): string {
  return config.WEBHOOK_SECRET ?? createHmac('sha256', token).update('botloom-webhook').digest('hex');
}

/** The sandbox is loaded only when an app without TELEGRAM_BOT_TOKEN starts one. */
const loadDefaultSandbox: SandboxFactory = async (options) =>
  (await import('../../sandbox/index.js')).startSandbox(options);

/** The bot: the sandbox (no token), the runtime and its Api (before services), the plugins' handlers (after services), and the intake (polling or webhook, through the update inbox). */
export function botSteps(ctx: BootContext) {
  const { options, config, logger, metrics, errorReporter, runtimes, running, dataDir } = ctx;
  let activity: ReturnType<typeof activityRecorder> | undefined;

  let sandboxStarting: ReturnType<SandboxFactory> | undefined;
  const sandboxStep: BootStep = {
    name: 'sandbox',
    // The emulator needs no database: it starts with the boot, beside the database's connect.
    prestart() {
      if (config.TELEGRAM_BOT_TOKEN || options.sandbox === false) return;
      const factory = options.sandbox ?? loadDefaultSandbox;
      sandboxStarting = factory({ logger: logger.child({ component: 'sandbox' }), config, dataDir });
      sandboxStarting.catch(() => {});
    },
    async start() {
      if (!sandboxStarting) return;
      running.sandbox = await sandboxStarting;
      logger.info(
        { apiRoot: running.sandbox.apiRoot },
        'sandbox mode: the bot talks to the local Bot API emulator',
      );
    },
    async stop() {
      const sandbox = running.sandbox ?? (await sandboxStarting?.catch(() => undefined));
      await sandbox?.stop();
    },
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
        rateLimitScope: config.RATE_LIMIT_SCOPE,
        crypto: running.crypto!,
        conversationTtlMs: config.CONVERSATION_TTL_MINUTES * 60_000,
        metrics,
        floodControl: options.floodControl ?? floodControlFromSettings(config),
        onUpdate: (userId) => {
          activity ??= activityRecorder(running.database!.sequelize, logger);
          activity.record(userId);
        },
        errorReporter,
        deferPluginSetup: true,
        defaultChatOwner: config.DEFAULT_CHAT_OWNER,
        plugins: runtimes.map((runtime) => ({
          ...botPluginExtras(runtime),
          id: runtime.id,
          config: runtime.config,
          commands: runtime.manifest.commands ?? [],
          setup: runtime.manifest.bot
            ? (composer) =>
                runtime.invoke('bot', () => runtime.manifest.bot!({ ...runtime.context, composer }))
            : undefined,
        })),
      });
      const databaseUrl = running.database!.url;
      // A PostgreSQL KV in the inbox's database: the inbox's statements read sessions and count
      // the shared rate limit on the side (fewer round trips per update).
      const kvInDatabase =
        running.kv!.backend === 'postgres' && (config.KV_URL || databaseUrl) === databaseUrl
          ? {
              rateLimit:
                config.RATE_LIMIT_SCOPE === 'shared'
                  ? { limit: config.RATE_LIMIT_PER_MINUTE, windowMs: RATE_LIMIT_WINDOW_MS }
                  : undefined,
            }
          : undefined;
      running.inbox = createUpdateInboxService({
        databaseUrl,
        crypto: running.crypto!,
        bot: running.bot,
        logger,
        settings: config,
        metrics,
        kvInDatabase,
      });
    },
  };

  const botHandlersStep: BootStep = {
    name: 'bot handlers',
    start: () => running.bot?.setupPlugins(),
  };

  // The queue exists before services (they may keep `Jobs`); jobs are declared after them.
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
          allowed_updates: BOT_ALLOWED_UPDATES,
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
      await activity?.flush();
    },
  };

  return { sandboxStep, botRuntimeStep, botHandlersStep, botIntakeStep };
}
