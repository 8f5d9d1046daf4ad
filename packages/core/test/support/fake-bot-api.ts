import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small local Telegram Bot API over HTTP for bot tests (the full emulator lives in
 * src/sandbox). Speaks the real protocol: POST /bot<token>/<method> with a JSON body, answers
 * `{ ok, result }` or `{ ok: false, error_code, description, parameters }`. Records every call.
 */
export interface RecordedCall {
  method: string;
  payload: Record<string, any>;
  at: number;
  /** The HTTP status the fake answered with. */
  status: number;
}

interface QueuedFailure {
  errorCode: number;
  description: string;
  retryAfter?: number;
}

export class FakeBotApi {
  readonly token = '123456:TEST-token';
  readonly calls: RecordedCall[] = [];
  /** Called with every call as it is recorded (benchmarks attribute calls to updates with it). */
  onCall?: (call: RecordedCall) => void;
  private server?: Server;
  private updates: unknown[] = [];
  private pollers: Array<() => void> = [];
  private failures = new Map<string, QueuedFailure[]>();
  private nextMessageId = 1;
  private closed = false;

  readonly me = {
    id: 123456,
    is_bot: true as const,
    first_name: 'Test Bot',
    username: 'test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
  };

  get apiRoot(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.pollers.splice(0)) wake();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Delivers updates to the next getUpdates call (long polling). */
  pushUpdate(...updates: unknown[]): void {
    this.updates.push(...updates);
    for (const wake of this.pollers.splice(0)) wake();
  }

  /** The next `times` calls of `method` fail with the given error (429 carries retry_after). */
  failNext(method: string, failure: QueuedFailure, times = 1): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(failure);
    this.failures.set(method, queue);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Texts sent with sendMessage (and editMessageText) to a chat, in order. */
  textsTo(chatId: number, methods = ['sendMessage']): string[] {
    return this.calls
      .filter(
        (call) =>
          methods.includes(call.method) && call.status === 200 && Number(call.payload.chat_id) === chatId,
      )
      .map((call) => String(call.payload.text));
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('FakeBotApi.waitFor timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    const body = await readBody(req);
    if (!match || match[1] !== this.token) {
      return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    }
    const method = match[2]!;
    let payload: Record<string, any> = {};
    if (body.length > 0) {
      try {
        payload = JSON.parse(body);
      } catch {
        return send(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
      }
    }
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      this.calls.push({ method, payload, at: Date.now(), status: failure.errorCode });
      return send(res, failure.errorCode, {
        ok: false,
        error_code: failure.errorCode,
        description: failure.description,
        ...(failure.retryAfter !== undefined ? { parameters: { retry_after: failure.retryAfter } } : {}),
      });
    }
    if (method === 'getUpdates') return this.longPoll(payload, res);
    const call = { method, payload, at: Date.now(), status: 200 };
    this.calls.push(call);
    this.onCall?.(call);
    return send(res, 200, { ok: true, result: this.result(method, payload) });
  }

  private async longPoll(payload: Record<string, any>, res: ServerResponse): Promise<void> {
    this.calls.push({ method: 'getUpdates', payload, at: Date.now(), status: 200 });
    const offset = Number(payload.offset ?? 0);
    this.updates = this.updates.filter((update: any) => update.update_id >= offset);
    if (this.updates.length === 0 && !this.closed) {
      const waitMs = Math.min(Number(payload.timeout ?? 0), 2) * 1000;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.pollers.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const limit = Number(payload.limit ?? 100);
    const batch = this.updates.filter((update: any) => update.update_id >= offset).slice(0, limit);
    if (!res.destroyed) send(res, 200, { ok: true, result: batch });
  }

  private result(method: string, payload: Record<string, any>): unknown {
    const date = Math.floor(Date.now() / 1000);
    const chat = { id: Number(payload.chat_id), type: Number(payload.chat_id) < 0 ? 'group' : 'private' };
    switch (method) {
      case 'getMe':
        return this.me;
      case 'sendMessage':
        return { message_id: this.nextMessageId++, date, chat, from: this.me, text: payload.text };
      case 'editMessageText':
        return {
          message_id: Number(payload.message_id),
          date,
          edit_date: date,
          chat,
          from: this.me,
          text: payload.text,
        };
      default:
        // setMyCommands, deleteWebhook, answerCallbackQuery, sendChatAction, ...
        return true;
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

let nextUpdateId = 1000;

/** Builds a private-chat text message update (`/cmd` texts get a bot_command entity). */
export function textUpdate(
  text: string,
  user: { id: number; language_code?: string; first_name?: string } = { id: 42 },
  updateId = nextUpdateId++,
): any {
  const command = /^\/[a-z0-9_]+/i.exec(text);
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: user.id, type: 'private', first_name: user.first_name ?? 'Ann' },
      from: {
        id: user.id,
        is_bot: false,
        first_name: user.first_name ?? 'Ann',
        language_code: user.language_code,
      },
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    },
  };
}

/** Builds a callback_query update for a button under message `messageId` in the user's private chat. */
export function callbackUpdate(
  data: string,
  user: { id: number; language_code?: string } = { id: 42 },
  messageId = 1,
  updateId = nextUpdateId++,
): any {
  const from = { id: user.id, is_bot: false, first_name: 'Ann', language_code: user.language_code };
  return {
    update_id: updateId,
    callback_query: {
      id: `cb${updateId}`,
      from,
      chat_instance: 'ci',
      data,
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user.id, type: 'private', first_name: 'Ann' },
        from: { id: 123456, is_bot: true, first_name: 'Test Bot' },
        text: 'prompt',
      },
    },
  };
}
