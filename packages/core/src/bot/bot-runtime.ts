import { conversations } from '@grammyjs/conversations';
import { type RunnerHandle, run, sequentialize } from '@grammyjs/runner';
import { type Api, Bot, Composer, type Context, type MiddlewareFn, session, type Transformer } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import type { Crypto } from '../crypto/types.js';
import { BotloomError } from '../errors/botloom-error.js';
import type { ErrorReporter } from '../errors/error-reporter.js';
import type { Metrics } from '../http/metrics.js';
import type { BotI18n } from '../i18n/create-i18n.js';
import type { KvFactory } from '../kv/kv-factory.js';
import type { WindowDecision } from '../kv/kv-window.js';
import { purgeUnsealedEntries } from '../kv/sealed-storage.js';
import {
  CONVERSATION_MARKER,
  keyvStorageAdapter,
  sessionMarkedConversationsStorage,
} from '../kv/session-storage.js';
import type { CommandDefinition, ConversationDeclaration } from '../plugin/types.js';
import { BOT_ALLOWED_UPDATES } from './allowed-updates.js';
import { currentDelivery, runWithDelivery } from './async-scope.js';
import { ChatOwnership } from './chat-ownership.js';
import { buildCommandCatalog } from './command-catalog.js';
import { assertNoCommandTakeover, commandsRegisteredBy } from './command-handlers.js';
import type { BotContext, ConversationContext, SessionData } from './context.js';
import { type LoggerSlot, loggerSlotOf, setLoggerSlot } from './lazy-logger.js';
import { gatePlugin, routeUpdates } from './middleware/conversation-router.js';
import { coreCommands } from './middleware/core-commands.js';
import { deleteMyData } from './middleware/delete-my-data.js';
import { type Delivery, errorBoundary } from './middleware/error-boundary.js';
import { pluginMiddleware } from './middleware/plugin-composer.js';
import { rateLimitUsers } from './middleware/rate-limit.js';
import { answerUnanswered } from './middleware/unanswered.js';
import { createOutgoingApi, type FloodControlOptions, type RetryOptions } from './outgoing-api.js';
import { publishCommands } from './publish-commands.js';
import { type SendLog, sendLedgerTransformer } from './send-ledger.js';
import { admitWebhookUpdate, pollingIntake } from './update-intake.js';
import { updateType } from './update-validation.js';
import { createUserRateLimiter, type RateLimitScope } from './user-rate-limiter.js';

export interface BotPluginEntry {
  id: string;
  /** The plugin's validated settings (passed to its commands' `visibleTo`). */
  config?: unknown;
  /**
   * Registers the plugin's handlers; called once, when the runtime is created, or by
   * `setupPlugins()` when `deferPluginSetup` is set.
   */
  setup?: (composer: Composer<BotContext>) => void;
  commands: CommandDefinition[];
  /** Its part in private chats (intro, menu entry, deep links, free text). */
  conversation?: ConversationDeclaration;
  /** What it keeps about a user, erased by /delete_my_data. */
  userData?: { describe: string; erase(userId: number): Promise<void> };
}

export interface BotRuntimeOptions {
  token: string;
  /** Bot API address (TELEGRAM_API_ROOT, the sandbox emulator, a local Bot API server). */
  apiRoot?: string;
  logger: Logger;
  /** The KV factory, or anything with its `namespace` (and `hitWindow` for shared rate limits). */
  kv: Pick<KvFactory, 'namespace'> & Partial<Pick<KvFactory, 'hitWindow'>>;
  i18n: BotI18n;
  /** Updates per user per sliding minute (RATE_LIMIT_PER_MINUTE). */
  rateLimitPerMinute: number;
  /** Where the rate-limit window lives (RATE_LIMIT_SCOPE; default `shared`). */
  rateLimitScope?: RateLimitScope;
  metrics: Metrics;
  /** In the order their composers run (dependency order). */
  plugins: BotPluginEntry[];
  /** The plugin that gets free text in private chats nobody claimed (DEFAULT_CHAT_OWNER). */
  defaultChatOwner?: string;
  /**
   * The app creates the runtime (and so the bot's Api) before plugins build their services,
   * and installs their handlers afterwards with `setupPlugins()`.
   */
  deferPluginSetup?: boolean;
  /** Skips getMe at init (tests, sandbox). */
  botInfo?: UserFromGetMe;
  /** Telegram limits by default; `false` turns flood control off. */
  floodControl?: FloodControlOptions | false;
  retry?: RetryOptions;
  /** Long polling: seconds one getUpdates call waits (default 30). */
  pollingTimeoutSeconds?: number;
  /** Encrypts conversation state at rest (it holds what users typed). */
  crypto: Crypto;
  /** A half-finished conversation is forgotten this long after its last step (default 24 h). */
  conversationTtlMs?: number;
  /** Called once per new update with its sender (0 when none), e.g. to count daily activity. */
  onUpdate?(userId: number): void;
  /** The clock conversation expiry is checked against (tests; default `Date.now`). */
  now?: () => number;
  /** Error tracking of the error boundary (Sentry; off when absent). */
  errorReporter?: ErrorReporter;
}

export const DEFAULT_CONVERSATION_TTL_MS = 24 * 60 * 60 * 1000;
const CONVERSATIONS_NAMESPACE = 'core.conversations';
/** The KV namespace of chat sessions (keys: `ctx.chatId ?? ctx.from.id`). */
export const SESSIONS_NAMESPACE = 'core.sessions';

export interface BotRuntime {
  bot: Bot<BotContext>;
  /** The bot's Api with retries, flood control and metrics installed (register as TelegramApi). */
  api: Api;
  /** Installs the plugins' handlers (once; only with `deferPluginSetup`). */
  setupPlugins(): void;
  /** getMe (unless botInfo was given), then the command menu per scope and locale (failures only logged). */
  init(): Promise<void>;
  /** Direct long polling with @grammyjs/runner (not durable: apps poll into the update inbox); resolves once polling has started. */
  startPolling(): Promise<void>;
  /**
   * Runs one update through the pipeline directly (no update inbox: nothing durable, no
   * de-duplication) and resolves when it was handled. Throws `InvalidUpdateError` (code INVALID_UPDATE, logged as a warning) for
   * something that is not an update, and `BotStoppingError` (code BOT_STOPPING) after stop().
   * An update of a type this version does not know resolves at once (logged at debug).
   * Handler errors never reach the caller: the error boundary handles them.
   */
  handleWebhookUpdate(update: unknown): Promise<void>;
  /**
   * Runs one update from the update inbox. A handler failure is reported, not thrown:
   * `retryable` when nothing was sent to Telegram for the update yet (a retry cannot
   * duplicate a reply). On a non-final retryable attempt the user is not told about the
   * error yet; on the final one (or after something was sent) the error boundary tells them.
   */
  processUpdate(update: Update, attempt: ProcessAttempt): Promise<ProcessOutcome>;
  /** Stops taking updates (polling and webhook), then waits for in-flight handlers. */
  stop(): Promise<void>;
  /** Updates currently inside the pipeline (including those waiting behind their chat). */
  inFlight(): number;
}

/** The runtime was stopped; the webhook route should answer 503 so Telegram retries later. */
export class BotStoppingError extends BotloomError {
  constructor() {
    super('BOT_STOPPING', 'The bot is shutting down and takes no more updates');
  }
}

/** One attempt at an update from the update inbox. */
export interface ProcessAttempt {
  final: boolean;
  /** 1 for the first attempt; a later one may follow an attempt that sent replies and died. */
  number?: number;
  /** Where this update's sends are recorded, so a later attempt does not repeat them. */
  sends?: SendLog;
  /** The per-user rate limit, decided (and counted) when the update was stored. */
  rate?: WindowDecision;
  /** The chat's session (keyv's serialized entry, null = none), read with the update's lease. */
  session?: { key: string; value: string | null };
}

export type ProcessOutcome =
  | {
      ok: true;
      /** KV entries the update changed, to be written with its done mark (keyv's serialized text). */
      writes?: Array<{ key: string; value: string }>;
    }
  | { ok: false; error: unknown; retryable: boolean };

/** Bot API methods that change nothing the user sees; calling them does not make a retry unsafe. */
const READ_ONLY_METHODS = new Set([
  'getMe',
  'getChat',
  'getChatMember',
  'getFile',
  'getMyCommands',
  'getUpdates',
]);

interface UpdateInfo {
  correlationId: string;
  locale: string;
  logger: LoggerSlot;
}

export function createBotRuntime(options: BotRuntimeOptions): BotRuntime {
  const { logger, metrics, i18n } = options;
  const log = logger.child({ module: 'bot' });
  // The update inbox's attempt being handled in this async context (unset on the direct path).
  // (The pipeline's one AsyncLocalStorage, shared with the outgoing API calls: async-scope.ts.)
  const deliveries = {
    run: <T>(delivery: Delivery, fn: () => T): T => runWithDelivery(delivery, fn),
    getStore: (): Delivery | undefined => currentDelivery<Delivery>(),
  };
  const outgoing = createOutgoingApi({
    metrics,
    retry: options.retry,
    floodControl: options.floodControl,
    perCall: [sendLedgerTransformer(() => deliveries.getStore()?.sends, log)],
  });
  const bot = new Bot<BotContext>(options.token, {
    botInfo: options.botInfo,
    client: {
      ...(options.apiRoot ? { apiRoot: options.apiRoot.replace(/\/+$/, '') } : {}),
      fetch: outgoing.fetch as any,
    },
  });
  const noteSent: Transformer = (prev, method, payload, signal) => {
    const delivery = deliveries.getStore();
    if (delivery && !READ_ONLY_METHODS.has(method)) delivery.sent = true;
    return prev(method, payload, signal);
  };
  bot.api.config.use(noteSent, ...outgoing.transformers);
  bot.catch((error) =>
    log.error({ err: error.error, updateId: error.ctx?.update?.update_id }, 'unhandled bot error'),
  );

  const catalog = buildCommandCatalog(options.plugins, i18n.translator);
  const ownership = new ChatOwnership(
    options.plugins.map((p) => ({
      id: p.id,
      conversation: p.conversation,
      commands: p.commands.map((c) => c.command),
    })),
    options.defaultChatOwner,
  );
  const limiter = createUserRateLimiter({
    scope: options.rateLimitScope ?? 'shared',
    kv: options.kv,
    limit: options.rateLimitPerMinute,
  });
  // What a conversation (which builds its own context per step) needs from the outer update.
  const updateInfo = new Map<number, UpdateInfo>();

  // Every update between its arrival and the end of its handlers; stop() waits for all of them.
  const pending = new Set<Promise<unknown>>();
  const track = (task: Promise<unknown>) => {
    pending.add(task);
    const forget = () => pending.delete(task);
    void task.then(forget, forget);
  };
  // Webhook updates are tracked from the moment they are accepted (before the first await).
  const trackedFromWebhook = new WeakSet<object>();
  const trackInFlight: MiddlewareFn<BotContext> = (ctx, next) => {
    const task = next();
    if (!trackedFromWebhook.has(ctx.update)) track(task);
    return task;
  };

  // Webhook updates were checked on arrival; polled ones are checked here, the same way.
  bot.use(pollingIntake<BotContext>(log, (update) => trackedFromWebhook.has(update)));
  bot.use(trackInFlight);
  bot.use(
    errorBoundary({
      logger: log,
      i18n,
      metrics,
      delivery: () => deliveries.getStore(),
      errorReporter: options.errorReporter,
    }),
  );
  // One update at a time per chat (per user where there is no chat), in polling and webhook mode.
  bot.use(
    sequentialize((ctx: Context) => ctx.chatId?.toString() ?? (ctx.from ? `user:${ctx.from.id}` : undefined)),
  );
  if (options.onUpdate) {
    const onUpdate = options.onUpdate;
    bot.use((ctx, next) => {
      onUpdate(ctx.from?.id ?? 0);
      return next();
    });
  }
  bot.use(rateLimitUsers({ limiter, i18n, decided: () => deliveries.getStore()?.rate }));
  bot.use(i18n.grammy);
  bot.use(
    session<SessionData, BotContext>({
      // A chat without a session is new: it has no conversation state to look up.
      initial: () => ({ [CONVERSATION_MARKER]: 0 }),
      storage: keyvStorageAdapter<SessionData>(options.kv.namespace(SESSIONS_NAMESPACE), {
        // The session read with the update's lease, once (the inbox read it in that statement).
        prefetched: (key) => {
          const session = deliveries.getStore()?.session;
          if (!session || session.used || session.key !== key) return undefined;
          session.used = true;
          return session.value;
        },
        // An update that came with its session writes it back with its done mark (same transaction).
        deferWrite: (key) => {
          const delivery = deliveries.getStore();
          if (delivery?.session?.key !== key) return undefined;
          return (value) => {
            delivery.sessionWrite = { key: `${SESSIONS_NAMESPACE}:${key}`, value };
          };
        },
      }),
      // Private chat ids equal user ids, so inline queries share the user's private-chat session.
      getSessionKey: (ctx) => (ctx.chatId ?? ctx.from?.id)?.toString(),
    }),
  );
  bot.use(async (ctx, next) => {
    await ctx.i18n.renegotiateLocale(); // the session may hold a /language choice
    const info: UpdateInfo = {
      correlationId: ctx.correlationId,
      locale: await ctx.i18n.getLocale(),
      logger: loggerSlotOf(ctx),
    };
    updateInfo.set(ctx.update.update_id, info);
    try {
      await next();
    } finally {
      updateInfo.delete(ctx.update.update_id);
    }
  });
  bot.use(
    conversations<BotContext, ConversationContext>({
      storage: sessionMarkedConversationsStorage<BotContext>(options.kv.namespace(CONVERSATIONS_NAMESPACE), {
        crypto: options.crypto,
        ttlMs: options.conversationTtlMs ?? DEFAULT_CONVERSATION_TTL_MS,
        now: options.now,
      }),
      plugins: [
        async (ctx, next) => {
          const info = updateInfo.get(ctx.update.update_id);
          // Steps replayed from older updates get a placeholder; their API calls are not re-sent.
          ctx.correlationId = info?.correlationId ?? 'replay';
          setLoggerSlot(ctx, info?.logger ?? log);
          ctx.api.config.use(noteSent, ...outgoing.transformers);
          await next();
        },
        i18n.grammy.middleware() as unknown as MiddlewareFn<ConversationContext>,
        async (ctx, next) => {
          const info = updateInfo.get(ctx.update.update_id);
          ctx.i18n.useLocale(info?.locale ?? i18n.resolveLocale(ctx.from?.language_code));
          await next();
        },
      ],
    }),
  );
  bot.use(routeUpdates(ownership));
  bot.use(coreCommands({ catalog, i18n, ownership }));
  bot.use(
    deleteMyData({
      erasers: options.plugins.flatMap((p) => (p.userData ? [{ pluginId: p.id, ...p.userData }] : [])),
    }),
  );
  let pluginHandlers: MiddlewareFn<BotContext> | undefined;
  const gatedById = new Map<string, MiddlewareFn<BotContext>>();
  const setupPlugins = () => {
    if (pluginHandlers) return;
    const chain = new Composer<BotContext>();
    const registered: Array<{ pluginId: string; commands: string[] }> = [];
    for (const plugin of options.plugins) {
      let handlers: MiddlewareFn<BotContext> | undefined;
      const commands = commandsRegisteredBy(() => {
        handlers = pluginMiddleware({ pluginId: plugin.id, setup: plugin.setup, logger, metrics });
      });
      registered.push({ pluginId: plugin.id, commands });
      const gated = gatePlugin(plugin.id, ownership, handlers!);
      gatedById.set(plugin.id, gated);
      chain.use(gated);
    }
    assertNoCommandTakeover(
      registered,
      options.plugins.map((p) => ({ pluginId: p.id, commands: p.commands.map((c) => c.command) })),
    );
    pluginHandlers = chain.middleware();
  };
  if (!options.deferPluginSetup) setupPlugins();
  bot.use((ctx, next) => (pluginHandlers ? pluginHandlers(ctx, next) : next()));
  bot.use(answerUnanswered({ ownership, pluginHandlers: (id) => gatedById.get(id) }));

  let runner: RunnerHandle | undefined;
  let stopping = false;

  // Conversation state from versions that stored it in plaintext and without expiry.
  const purgeLegacyConversations = async () => {
    try {
      const purged = await purgeUnsealedEntries(options.kv.namespace(CONVERSATIONS_NAMESPACE));
      if (purged > 0) log.info({ purged }, 'unencrypted conversation state deleted');
    } catch (error) {
      log.warn({ err: error }, 'unencrypted conversation state could not be purged');
    }
  };

  const ensureInit = async () => {
    if (!bot.isInited()) await bot.init();
  };

  return {
    bot,
    api: bot.api,
    setupPlugins,

    async init() {
      await ensureInit();
      await purgeLegacyConversations();
      const failures = await publishCommands(bot.api, catalog, i18n.translator, log);
      log.info(
        { username: bot.botInfo.username, commands: catalog.length, setMyCommandsFailures: failures },
        'bot initialized',
      );
    },

    async startPolling() {
      if (stopping) throw new BotStoppingError();
      if (runner?.isRunning()) return;
      await ensureInit();
      try {
        // A webhook left behind makes getUpdates fail with 409.
        await bot.api.deleteWebhook({ drop_pending_updates: false });
      } catch (error) {
        log.warn({ err: error }, 'deleteWebhook failed before polling');
      }
      runner = run(bot, {
        runner: {
          fetch: { timeout: options.pollingTimeoutSeconds ?? 30, allowed_updates: BOT_ALLOWED_UPDATES },
          silent: true,
          retryInterval: 'exponential',
        },
      });
      // Transient getUpdates failures are retried by the runner; an unrecoverable one (bad
      // token, another poller: 401/409) ends polling and is logged here.
      void runner.task()?.catch((error) => log.error({ err: error }, 'long polling stopped by an error'));
      log.info({ username: bot.botInfo.username }, 'long polling started');
    },

    async handleWebhookUpdate(raw) {
      if (stopping) throw new BotStoppingError();
      const update = admitWebhookUpdate(raw, log);
      if (!update) return;
      trackedFromWebhook.add(update);
      const task = (async () => {
        await ensureInit();
        await bot.handleUpdate(update);
      })().catch((error) => {
        // The error boundary handles handler errors; this is a failure of the pipeline itself.
        log.error(
          { err: error, updateId: update.update_id, updateType: updateType(update) },
          'update pipeline failed',
        );
      });
      track(task);
      await task;
    },

    async processUpdate(update, attempt) {
      if (stopping) throw new BotStoppingError();
      const delivery: Delivery = {
        final: attempt.final,
        sent: false,
        rate: attempt.rate,
        session: attempt.session && { ...attempt.session },
      };
      if (attempt.sends) {
        delivery.sends = {
          log: attempt.sends,
          rehandled: (attempt.number ?? 1) > 1,
          next: 0,
          onSkipped: () => {
            delivery.sent = true;
          },
        };
      }
      trackedFromWebhook.add(update);
      const task = deliveries.run(delivery, async () => {
        await ensureInit();
        await bot.handleUpdate(update);
      });
      track(task);
      try {
        await task;
      } catch (error) {
        // A failure outside the handlers (getMe at init, the pipeline itself).
        delivery.failure ??= { error };
      }
      if (!delivery.failure)
        return delivery.sessionWrite ? { ok: true, writes: [delivery.sessionWrite] } : { ok: true };
      return { ok: false, error: delivery.failure.error, retryable: !delivery.sent };
    },

    async stop() {
      stopping = true;
      if (runner?.isRunning()) await runner.stop();
      while (pending.size > 0) await Promise.allSettled([...pending]);
      log.info('bot stopped');
    },

    inFlight: () => pending.size,
  };
}
