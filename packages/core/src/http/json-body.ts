import type { IncomingMessage } from 'node:http';

/**
 * A JSON request body read straight from the request, for the webhook's hot path: the same
 * answers as @koa/bodyparser in strict JSON mode (co-body, raw-body, @hapi/bourne) for a body
 * without Content-Encoding, without their per-request layers of options, streams and promises.
 */

const UNITS: Record<string, number> = { b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30 };

/** Bytes of a limit as bodyparser takes it (`1mb`, `512kb`, a number); undefined when not understood. */
export function byteLimit(limit: string | number): number | undefined {
  if (typeof limit === 'number') return Number.isFinite(limit) && limit >= 0 ? limit : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit);
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!);
}

/** An error as http-errors makes them (what raw-body throws): status, expose, type. */
function bodyError(status: number, message: string, type: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
}

/** The body's bytes within `limit` (413), checked against Content-Length (400), as raw-body does. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const header = req.headers['content-length'];
    const length = header ? ~~header : null;
    if (length !== null && length > limit) {
      reject(bodyError(413, 'request entity too large', 'entity.too.large'));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onError);
    };
    const fail = (error: Error) => {
      cleanup();
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) fail(bodyError(413, 'request entity too large', 'entity.too.large'));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (length !== null && received !== length) {
        reject(bodyError(400, 'request size did not match content length', 'request.size.invalid'));
      } else {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
      }
    };
    const onAborted = () => fail(bodyError(400, 'request aborted', 'request.aborted'));
    const onError = (error: Error) => fail(error);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('aborted', onAborted);
    req.once('error', onError);
  });
}

// co-body's strict mode: an object or an array, after JSON whitespace.
const STRICT_JSON = /^[ \t\n\r]*(\[|\{)/;
// @hapi/bourne's prefilter for a "__proto__" key (escapes included).
const SUSPECT_PROTO =
  /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"\s*:/;

function parseError(message: string): SyntaxError {
  return Object.assign(new SyntaxError(message), { status: 400, expose: true });
}

/** True when some object in `value` has an own `__proto__` key (what bourne refuses). */
function hasProtoKey(value: object): boolean {
  let next: object[] = [value];
  while (next.length > 0) {
    const nodes = next;
    next = [];
    for (const node of nodes) {
      if (Object.hasOwn(node, '__proto__')) return true;
      for (const key in node) {
        const child = (node as Record<string, unknown>)[key];
        if (child && typeof child === 'object') next.push(child);
      }
    }
  }
  return false;
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw parseError((error as Error).message);
  }
  if (value && typeof value === 'object' && SUSPECT_PROTO.test(text) && hasProtoKey(value)) {
    throw parseError('Object contains forbidden prototype property');
  }
  return value;
}
