import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/** Header that carries the sandbox control token (the query parameter `token` works too). */
export const SANDBOX_TOKEN_HEADER = 'x-sandbox-token';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice(7));
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * Where the app's HTTP server binds. HOST when set. Unset: 127.0.0.1 in sandbox mode, because
 * the sandbox's control API lets a caller act as any user; 0.0.0.0 otherwise.
 */
export function listenHost(host: string | undefined, sandboxMode: boolean): string {
  return host ?? (sandboxMode ? '127.0.0.1' : '0.0.0.0');
}

/**
 * The token that guards `/sandbox/*` on the app's server: the configured one, else a random one
 * when the server is reachable beyond this machine (HOST set to a non-loopback address), else
 * none (loopback only).
 */
export function sandboxControlToken(options: {
  host: string | undefined;
  configured: string | undefined;
}): string | undefined {
  if (options.configured) return options.configured;
  if (options.host === undefined || isLoopbackHost(options.host)) return undefined;
  return randomBytes(24).toString('base64url');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares the request's token (header, else `?token=`) with `expected` in constant time. */
export function hasSandboxToken(req: IncomingMessage, query: URLSearchParams, expected: string): boolean {
  const header = req.headers[SANDBOX_TOKEN_HEADER];
  const given = (Array.isArray(header) ? header[0] : header) ?? query.get('token') ?? '';
  return given.length > 0 && timingSafeEqual(digest(given), digest(expected));
}

/**
 * Paths under the sandbox prefix that need the control token: the playground page and the
 * control API. The Bot API (`/bot<token>/…`, `/file/bot<token>/…`) checks the bot token
 * itself, and the playground's script, style and icon hold nothing secret.
 */
export function needsSandboxToken(pathname: string): boolean {
  return !/^\/(file\/)?bot[^/]+\//.test(pathname) && !/^\/playground\/[a-z0-9.-]+$/.test(pathname);
}

export function refuseWithoutToken(res: ServerResponse): void {
  const payload = JSON.stringify({
    ok: false,
    error: {
      code: 'SANDBOX_TOKEN_REQUIRED',
      message: `The sandbox needs its token: open the playground URL printed at start, or send the ${SANDBOX_TOKEN_HEADER} header`,
    },
  });
  res.writeHead(401, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  res.end(payload);
}
