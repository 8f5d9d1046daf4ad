import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { SandboxFactory, SandboxHandle } from '../app/sandbox-seam.js';
import {
  hasSandboxToken,
  needsSandboxToken,
  refuseWithoutToken,
  sandboxControlToken,
} from './control-access.js';
import { type BotApiEmulator, type BotApiEmulatorOptions, createBotApiEmulator } from './emulator.js';

export interface CreateSandboxOptions extends Omit<BotApiEmulatorOptions, 'logger'> {
  logger?: Logger;
  /** Public base URL of the app (for the printed playground address). */
  publicUrl?: string;
  /** Where the playground and control API are mounted on the app's server (default `/sandbox`). */
  prefix?: string;
  /**
   * Required on the mounted playground and control API (header `X-Sandbox-Token` or
   * `?token=`); unset = open (the app's server is then loopback-only).
   */
  controlToken?: string;
}

export interface Sandbox {
  emulator: BotApiEmulator;
  token: string;
  /** Bot API root for grammY: the emulator's own loopback server. */
  apiRoot: string;
  prefix: string;
  /** Koa middleware serving everything under `prefix` (mount it before any body parser). */
  koaMiddleware: Middleware;
  /** The same as a plain Node handler for requests under `prefix`. */
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Playground URL on the app's server when `publicUrl` is known (with `?token=` when guarded). */
  playgroundUrl?: string;
  /** The token guarding the mounted playground and control API, if any. */
  controlToken?: string;
  close(): Promise<void>;
}

/**
 * The emulator set up for an app: it listens on a loopback port of its own (so the bot's
 * apiRoot is known before the app's server starts) and is also mountable under the app's
 * server at `prefix` for the playground, control API and Bot API.
 */
export async function createSandbox(options: CreateSandboxOptions = {}): Promise<Sandbox> {
  const prefix = `/${(options.prefix ?? '/sandbox').replace(/^\/+|\/+$/g, '')}`;
  const emulator = createBotApiEmulator(options);
  const apiRoot = await emulator.listen(0, '127.0.0.1');
  const { controlToken } = options;
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    if (controlToken) {
      const url = new URL(req.url ?? '/', 'http://sandbox.local');
      const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : url.pathname;
      if (needsSandboxToken(path) && !hasSandboxToken(req, url.searchParams, controlToken)) {
        return refuseWithoutToken(res);
      }
    }
    return emulator.handle(req, res, prefix);
  };
  const koaMiddleware: Middleware = async (ctx) => {
    // The emulator answers on the raw response (streams, long polls, files).
    ctx.respond = false;
    await handler(ctx.req, ctx.res);
  };
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');
  return {
    emulator,
    token: emulator.token,
    apiRoot,
    prefix,
    koaMiddleware,
    handler,
    playgroundUrl: publicUrl ? playgroundAddress(publicUrl, prefix, controlToken) : undefined,
    controlToken,
    close: () => emulator.close(),
  };
}

/** `<base><prefix>/`, with `?token=` when the sandbox is guarded. */
export function playgroundAddress(baseUrl: string, prefix: string, controlToken?: string): string {
  const url = `${baseUrl.replace(/\/+$/, '')}${prefix}/`;
  return controlToken ? `${url}?token=${encodeURIComponent(controlToken)}` : url;
}

/** The app's default sandbox (see app/sandbox-seam.ts): used when TELEGRAM_BOT_TOKEN is unset. */
export const startSandbox: SandboxFactory = async ({ logger, config }) => {
  const publicUrl = config.PUBLIC_URL ?? (config.PORT ? `http://localhost:${config.PORT}` : undefined);
  const controlToken = sandboxControlToken({
    host: config.HOST,
    configured: config.SANDBOX_CONTROL_TOKEN,
  });
  const sandbox = await createSandbox({ logger, publicUrl, controlToken });
  const handle: SandboxHandle = {
    token: sandbox.token,
    controlToken,
    apiRoot: sandbox.apiRoot,
    routes: [{ prefix: sandbox.prefix, middleware: sandbox.koaMiddleware, owner: 'sandbox' }],
    urls: {
      ...(sandbox.playgroundUrl ? { playground: sandbox.playgroundUrl } : {}),
      botApi: sandbox.apiRoot,
    },
    stop: () => sandbox.close(),
  };
  return handle;
};
