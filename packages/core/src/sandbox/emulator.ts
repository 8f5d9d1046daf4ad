import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import { BotApiError } from './api-error.js';
import { type BotApiMethod, createBotApiMethods, ResultWithDescription } from './bot-api-methods.js';
import { createControlApi, sendJson } from './control-api.js';
import { type ExtraBotState, ExtraBots } from './extra-bots.js';
import { FaultInjector, type FaultRule, type FloodLimits } from './faults.js';
import { createGroupAccessMethods } from './group-access.js';
import { botIdFromToken, generateBotToken } from './ids.js';
import { BotApiParams } from './params.js';
import { servePlayground } from './playground.js';
import { parseBotApiBody } from './request-body.js';
import { WebhookDelivery, type WebhookDeliveryOptions } from './webhook.js';
import { SandboxWorld } from './world.js';

export interface BotApiEmulatorOptions {
  /** The bot's token (`<id>:<secret>`); a random one when omitted. */
  token?: string;
  /** Profile of the bot returned by getMe. */
  bot?: { first_name?: string; username?: string };
  logger?: Logger;
  /** Faults to inject from the start (more can be added with `emulator.faults`). */
  faults?: FaultRule[];
  /** Emulate Telegram's flood control (off by default). */
  floodLimits?: FloodLimits;
  webhook?: WebhookDeliveryOptions;
}

export interface BotApiEmulator {
  readonly token: string;
  readonly world: SandboxWorld;
  readonly faults: FaultInjector;
  /** `http://host:port` once `listen` resolved (grammY's `client.apiRoot`). */
  readonly apiRoot: string;
  readonly url: string;
  /**
   * Node request handler. `basePath` is where the emulator is mounted (`''` standalone,
   * `/sandbox` under the app): Bot API at `<base>/bot<token>/<method>`, files at
   * `<base>/file/bot<token>/<path>`, control API at `<base>/control/...`, playground at
   * `<base>/` and `<base>/sandbox`. Answers 404 for paths it does not know.
   */
  handle(req: IncomingMessage, res: ServerResponse, basePath?: string): Promise<void>;
  /** Starts a standalone HTTP server (port 0 = any free port) and returns its URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

const BOT_API_PATH = /^\/bot([^/]+)\/(?:test\/)?([^/]*)$/;
const FILE_PATH = /^\/file\/bot([^/]+)\/(?:test\/)?(.+)$/;

/**
 * A local Telegram Bot API: the same URLs, parameters, answers and errors as
 * api.telegram.org, over an in-memory world of users and chats. grammY (or any client)
 * talks to it unchanged through its `apiRoot` option.
 */
export function createBotApiEmulator(options: BotApiEmulatorOptions = {}): BotApiEmulator {
  const token = options.token ?? generateBotToken();
  const botId = botIdFromToken(token);
  const bot: UserFromGetMe = {
    id: botId,
    is_bot: true,
    first_name: options.bot?.first_name ?? 'Sandbox Bot',
    username: options.bot?.username ?? 'sandbox_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  } as UserFromGetMe;
  const logger = options.logger;
  const world = new SandboxWorld(bot);
  const faults = new FaultInjector(options.faults ?? [], options.floodLimits);
  let methods: Record<string, BotApiMethod> = {};
  const webhook = new WebhookDelivery(
    world.updates,
    async (method, params) => {
      await callMethod(
        method,
        new BotApiParams({ fields: params, files: new Map() }),
        new AbortController().signal,
      );
    },
    logger,
    options.webhook,
  );
  methods = { ...createBotApiMethods(world, webhook), ...createGroupAccessMethods(world) };
  const handleControl = createControlApi({ world, token, faults, webhook });
  let server: Server | undefined;
  let url = '';
  const pending = new Set<AbortController>();
  let closing = false;

  async function callMethod(method: string, params: BotApiParams, signal: AbortSignal) {
    const fn = methods[method.toLowerCase()];
    if (!fn) throw new BotApiError(404, 'Not Found');
    return fn(params, { signal });
  }

  async function handleBotApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    query: URLSearchParams,
  ) {
    const controller = new AbortController();
    pending.add(controller);
    res.on('close', () => controller.abort());
    const started = Date.now();
    try {
      const body = await parseBotApiBody(req, query);
      const params = new BotApiParams(body);
      if (!methods[method.toLowerCase()]) throw new BotApiError(404, 'Not Found');
      const decision = faults.decide(method, params.raw('chat_id'));
      if (decision.delayMs > 0) await sleep(decision.delayMs, controller.signal);
      if (decision.error) throw decision.error;
      const result = await callMethod(method, params, controller.signal);
      logger?.debug({ method, ms: Date.now() - started }, 'sandbox: bot api call');
      if (result instanceof ResultWithDescription) {
        sendJson(res, 200, { ok: true, result: result.result, description: result.description });
      } else {
        sendJson(res, 200, { ok: true, result });
      }
    } catch (error) {
      if (error instanceof BotApiError) {
        logger?.debug({ method, error: error.description }, 'sandbox: bot api error');
        sendJson(res, error.errorCode, error.toJSON());
      } else {
        logger?.error({ method, err: error }, 'sandbox: bot api method failed');
        sendJson(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
      }
    } finally {
      pending.delete(controller);
    }
  }

  /** A further bot's call (see ExtraBots): its own small method set, no faults or webhook. */
  async function handleExtraBotApi(
    req: IncomingMessage,
    res: ServerResponse,
    extra: ExtraBotState,
    method: string,
    query: URLSearchParams,
  ) {
    try {
      const params = new BotApiParams(await parseBotApiBody(req, query));
      const fn = ExtraBots.of(world).methods(extra)[method.toLowerCase()];
      if (!fn) throw new BotApiError(404, 'Not Found');
      sendJson(res, 200, { ok: true, result: await fn(params, { signal: new AbortController().signal }) });
    } catch (error) {
      if (error instanceof BotApiError) return sendJson(res, error.errorCode, error.toJSON());
      logger?.error({ method, err: error }, 'sandbox: extra bot method failed');
      sendJson(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, basePath = ''): Promise<void> {
    const parsed = new URL(req.url ?? '/', 'http://sandbox.local');
    let pathname = parsed.pathname;
    if (basePath && pathname.startsWith(basePath)) pathname = pathname.slice(basePath.length) || '/';
    if (closing)
      return sendJson(res, 503, { ok: false, error_code: 503, description: 'Service Unavailable' });

    const api = BOT_API_PATH.exec(pathname);
    if (api) {
      const requestToken = decodeURIComponent(api[1]);
      if (requestToken !== token) {
        const extra = ExtraBots.of(world).byToken.get(requestToken);
        if (extra) return handleExtraBotApi(req, res, extra, api[2], parsed.searchParams);
        return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      }
      return handleBotApi(req, res, api[2], parsed.searchParams);
    }
    const file = FILE_PATH.exec(pathname);
    if (file) {
      const record =
        decodeURIComponent(file[1]) === token
          ? world.files.getByPath(decodeURIComponent(file[2]))
          : undefined;
      if (!record) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': record.mimeType, 'content-length': record.data.length });
      res.end(record.data);
      return;
    }
    if (pathname.startsWith('/control/')) return handleControl(req, res, pathname, parsed.searchParams);
    if (await servePlayground(req, res, pathname, basePath)) return;
    sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
  }

  return {
    token,
    world,
    faults,
    get apiRoot() {
      return url;
    },
    get url() {
      return url;
    },
    handle,
    async listen(port = 0, host = '127.0.0.1') {
      if (server) return url;
      const s = createServer((req, res) => {
        handle(req, res).catch((error) => {
          logger?.error({ err: error }, 'sandbox: request failed');
          if (!res.headersSent)
            sendJson(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
        });
      });
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => resolve());
      });
      const address = s.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
      return url;
    },
    async close() {
      closing = true;
      world.updates.releasePolls();
      world.feed.wakeAll();
      for (const controller of pending) controller.abort();
      await webhook.close();
      if (server) {
        const s = server;
        server = undefined;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
