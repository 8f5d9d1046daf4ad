import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message the fake Send API accepted. */
export interface FakeSentMessage {
  messageId: string;
  recipient: string;
  text?: string;
  attachment?: { type: string; url?: string };
  messagingType?: string;
  tag?: string;
  at: Date;
}

export type FakeGraphFault = 'outside_window' | 'rate_limit' | 'token_expired' | 'temporary';

export interface FakeGraphFaultRule {
  kind: FakeGraphFault;
  /** How many calls fail (default 1). */
  times?: number;
  /** Only sends to this recipient. */
  recipient?: string;
}

export interface FakeGraphApiOptions {
  accountId?: string;
  accessToken?: string;
  apiVersion?: string;
  /** Usernames by IGSID for profile lookups. */
  profiles?: Record<string, { username?: string; name?: string }>;
}

const ERRORS: Record<FakeGraphFault, { status: number; error: Record<string, unknown> }> = {
  outside_window: {
    status: 400,
    error: {
      message: 'This message is sent outside of allowed window.',
      type: 'OAuthException',
      code: 10,
      error_subcode: 2018278,
    },
  },
  rate_limit: {
    status: 400,
    error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4 },
  },
  token_expired: {
    status: 401,
    error: {
      message: 'Error validating access token: Session has expired.',
      type: 'OAuthException',
      code: 190,
      error_subcode: 463,
    },
  },
  temporary: {
    status: 500,
    error: {
      message: 'An unexpected error has occurred. Please retry your request later.',
      type: 'OAuthException',
      code: 2,
      is_transient: true,
    },
  },
};

/**
 * A local stand-in for graph.instagram.com that speaks the Send API
 * (`POST /{version}/{account-id}/messages`) with Meta's error envelope, and injects faults.
 */
export class FakeGraphApi {
  readonly accountId: string;
  readonly accessToken: string;
  readonly apiVersion: string;
  readonly sent: FakeSentMessage[] = [];
  /** Every call, refused ones included. */
  readonly calls: Array<{ method: string; path: string; body: unknown; status: number }> = [];
  private faults: Array<Required<Pick<FakeGraphFaultRule, 'kind' | 'times'>> & { recipient?: string }> = [];
  private server: Server | undefined;
  private waiters = new Set<() => void>();
  url = '';

  constructor(private readonly options: FakeGraphApiOptions = {}) {
    this.accountId = options.accountId ?? '17841400000000000';
    this.accessToken = options.accessToken ?? `IGAA${randomBytes(12).toString('hex')}`;
    this.apiVersion = options.apiVersion ?? 'v23.0';
  }

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections of the client would hold close() open until they time out.
      server.closeAllConnections();
      await closed;
    }
  }

  addFault(rule: FakeGraphFaultRule): void {
    this.faults.push({ kind: rule.kind, times: rule.times ?? 1, recipient: rule.recipient });
  }

  clearFaults(): void {
    this.faults = [];
  }

  reset(): void {
    this.sent.length = 0;
    this.calls.length = 0;
    this.clearFaults();
  }

  sentTo(recipient: string): FakeSentMessage[] {
    return this.sent.filter((m) => m.recipient === recipient);
  }

  /** Resolves with the first sent message matching, waiting up to `timeoutMs`. */
  async waitForSent(match: (m: FakeSentMessage) => boolean, timeoutMs = 30_000): Promise<FakeSentMessage> {
    const found = this.sent.find(match);
    if (found) return found;
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.sent.find(match);
        if (hit) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `no matching message was sent within ${timeoutMs} ms; sent: ${JSON.stringify(this.sent)}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return this.answer(req, res, raw, 400, {
        error: { message: 'Invalid JSON', type: 'OAuthException', code: 100 },
      });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean);
    const token =
      (req.headers.authorization ?? '').replace(/^Bearer /, '') || url.searchParams.get('access_token');
    if (token !== this.accessToken) {
      return this.answer(req, res, body, 401, {
        error: {
          message: 'Invalid OAuth access token - Cannot parse access token',
          type: 'OAuthException',
          code: 190,
        },
      });
    }
    if (parts[0] !== this.apiVersion) {
      return this.answer(req, res, body, 400, {
        error: { message: `Unknown path components: /${parts[0]}`, type: 'OAuthException', code: 2500 },
      });
    }
    if (req.method === 'POST' && parts.length === 3 && parts[2] === 'messages') {
      if (parts[1] !== this.accountId && parts[1] !== 'me') {
        return this.answer(req, res, body, 400, {
          error: {
            message: 'Unsupported post request.',
            type: 'GraphMethodException',
            code: 100,
            error_subcode: 33,
          },
        });
      }
      return this.sendMessage(req, res, body);
    }
    if (req.method === 'GET' && parts.length === 2) {
      const profile = this.options.profiles?.[parts[1]!];
      if (!profile)
        return this.answer(req, res, body, 400, {
          error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100 },
        });
      return this.answer(req, res, body, 200, { id: parts[1], ...profile });
    }
    return this.answer(req, res, body, 404, {
      error: { message: 'Unknown path', type: 'OAuthException', code: 803 },
    });
  }

  private sendMessage(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) {
    const recipient = (body.recipient as { id?: string } | undefined)?.id;
    const message = body.message as
      | { text?: string; attachment?: { type: string; payload?: { url?: string } } }
      | undefined;
    const invalid = (msg: string) =>
      this.answer(req, res, body, 400, { error: { message: msg, type: 'OAuthException', code: 100 } });
    if (!recipient) return invalid('(#100) The parameter recipient is required');
    if (!message || (!message.text && !message.attachment))
      return invalid('(#100) The parameter message is required');
    if (message.text && Buffer.byteLength(message.text) > 1000)
      return invalid('(#100) Length of param message[text] must be less than or equal to 1000');
    if (body.messaging_type === 'MESSAGE_TAG' && body.tag !== 'HUMAN_AGENT')
      return invalid('(#100) Param tag must be one of {HUMAN_AGENT}');
    const fault = this.faults.find((f) => f.times > 0 && (!f.recipient || f.recipient === recipient));
    if (fault) {
      fault.times--;
      const { status, error } = ERRORS[fault.kind];
      return this.answer(req, res, body, status, {
        error: { ...error, fbtrace_id: randomBytes(8).toString('hex') },
      });
    }
    const messageId = `aWdfZAG1faWQ${randomBytes(12).toString('hex')}`;
    this.sent.push({
      messageId,
      recipient,
      text: message.text,
      attachment: message.attachment
        ? { type: message.attachment.type, url: message.attachment.payload?.url }
        : undefined,
      messagingType: body.messaging_type as string | undefined,
      tag: body.tag as string | undefined,
      at: new Date(),
    });
    for (const waiter of this.waiters) waiter();
    return this.answer(req, res, body, 200, { recipient_id: recipient, message_id: messageId });
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: unknown, status: number, payload: unknown) {
    this.calls.push({ method: req.method ?? 'GET', path: req.url ?? '/', body, status });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  }
}

export async function startFakeGraphApi(options: FakeGraphApiOptions = {}): Promise<FakeGraphApi> {
  const fake = new FakeGraphApi(options);
  await fake.listen();
  return fake;
}
