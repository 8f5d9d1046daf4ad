import type { IncomingMessage } from 'node:http';
import Bourne from '@hapi/bourne';
import getRawBody from 'raw-body';

/**
 * A JSON request body read straight from the request, for the webhook's hot path: the same
 * answers as @koa/bodyparser in strict JSON mode (co-body over raw-body and @hapi/bourne) for a
 * body without Content-Encoding, calling those two without co-body's per-request layers.
 */

const UNITS: Record<string, number> = { b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30 };

/** Bytes of a limit as bodyparser takes it (`1mb`, `512kb`, a number); undefined when not understood. */
export function byteLimit(limit: string | number): number | undefined {
  if (typeof limit === 'number') return Number.isFinite(limit) && limit >= 0 ? limit : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit);
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!);
}

/** The body's bytes within `limit` (413), checked against Content-Length (400): raw-body, as co-body calls it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return getRawBody(req, { limit, length: req.headers['content-length'] });
}

// co-body's strict mode: an object or an array, after JSON whitespace.
const STRICT_JSON = /^[ \t\n\r]*(\[|\{)/;

function parseError(message: string): SyntaxError {
  return Object.assign(new SyntaxError(message), { status: 400, expose: true });
}

/**
 * Parses a body as co-body's strict JSON: empty → `{}`; anything but an object or array, bad
 * JSON or a `__proto__` key → a SyntaxError with status 400.
 */
export function parseStrictJson(body: Buffer): unknown {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // raw-body's decoder drops a BOM
  if (!text) return {};
  if (!STRICT_JSON.test(text)) throw parseError('invalid JSON, only supports object and array');
  try {
    // Bourne refuses a "__proto__" key (escaped too) with a SyntaxError, as co-body does.
    return Bourne.parse(text, { protoAction: 'error' }) as unknown;
  } catch (error) {
    throw parseError((error as Error).message);
  }
}
