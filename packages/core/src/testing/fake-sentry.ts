import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

/**
 * A local stand-in for Sentry's (or GlitchTip's) ingest endpoint: it accepts envelopes at
 * `POST /api/<project>/envelope/` as the real server does and keeps the items, so tests can
 * read exactly what would have left the process.
 */

export interface FakeSentryItem {
  header: Record<string, unknown> & { type: string };
  payload: any;
}

export interface FakeSentryEnvelope {
  project: string;
  header: Record<string, unknown>;
  items: FakeSentryItem[];
  /** The raw body as received (after decompression). */
  raw: string;
}

export interface FakeSentry {
  /** A DSN pointing at this server (project 1). */
  dsn: string;
  readonly envelopes: FakeSentryEnvelope[];
  /** Payloads of the `event` items (errors), in arrival order. */
  readonly events: any[];
  /** Resolves when at least `count` events arrived; rejects after `timeoutMs`. */
  waitForEvents(count: number, timeoutMs?: number): Promise<any[]>;
  reset(): void;
  close(): Promise<void>;
}

/** Parses Sentry's envelope format: a header line, then item header lines each followed by a payload. */
export function parseEnvelope(body: Buffer): Omit<FakeSentryEnvelope, 'project'> {
  let offset = 0;
  const readLine = (): Buffer | null => {
    if (offset >= body.length) return null;
    let end = body.indexOf(0x0a, offset);
    if (end === -1) end = body.length;
    const line = body.subarray(offset, end);
    offset = end + 1;
    return line;
  };
  const headerLine = readLine();
  if (!headerLine) throw new Error('empty envelope');
  const header = JSON.parse(headerLine.toString('utf8'));
  const items: FakeSentryItem[] = [];
  while (offset < body.length) {
    const itemHeaderLine = readLine();
    if (!itemHeaderLine || itemHeaderLine.length === 0) continue;
    const itemHeader = JSON.parse(itemHeaderLine.toString('utf8'));
    let payload: Buffer;
    if (typeof itemHeader.length === 'number') {
      payload = body.subarray(offset, offset + itemHeader.length);
      offset += itemHeader.length + 1;
    } else {
      payload = readLine() ?? Buffer.alloc(0);
    }
    const text = payload.toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // attachments and other binary items stay text
    }
    items.push({ header: itemHeader, payload: parsed });
  }
  return { header, items, raw: body.toString('utf8') };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  return body;
}

export async function startFakeSentry(options: { host?: string } = {}): Promise<FakeSentry> {
  const host = options.host ?? '127.0.0.1';
  const envelopes: FakeSentryEnvelope[] = [];
  const waiters = new Set<() => void>();
  const events = () =>
    envelopes.flatMap((e) => e.items.filter((i) => i.header.type === 'event').map((i) => i.payload));

  const server: Server = createServer(async (req, res) => {
    const match = /^\/api\/([^/]+)\/envelope\/?(\?.*)?$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"not found"}');
      return;
    }
    try {
      const envelope = parseEnvelope(await readBody(req));
      envelopes.push({ project: match[1]!, ...envelope });
      for (const wake of waiters) wake();
      const id = (envelope.header as { event_id?: string }).event_id ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
    } catch (error) {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ detail: `invalid envelope: ${(error as Error).message}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    dsn: `http://publickey@${host}:${port}/1`,
    envelopes,
    get events() {
      return events();
    },
    waitForEvents(count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (events().length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(events());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} Sentry events, got ${events().length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    reset() {
      envelopes.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
