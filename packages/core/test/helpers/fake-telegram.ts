import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  chat_id: number | string;
  text: string;
  [key: string]: unknown;
}

/**
 * A minimal Telegram Bot API for core's own tests (the full emulator lives in
 * src/sandbox): getMe, getUpdates with a queue, sendMessage, and `true` for the rest.
 */
export async function startFakeTelegram(token = '123456:TEST-TOKEN') {
  const queue: unknown[] = [];
  const sent: SentMessage[] = [];
  const calls: string[] = [];
  const bodies: Array<{ method: string; body: Record<string, any> }> = [];
  let nextUpdateId = 1;
  let nextMessageId = 1;
  const waiters: Array<() => void> = [];

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    const reply = (result: unknown) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, result }));
    };
    if (!match || match[1] !== token) {
      res.statusCode = 404;
      res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
      return;
    }
    const method = match[2]!;
    calls.push(method);
    bodies.push({ method, body });
    if (method === 'getMe') {
      reply({ id: 123456, is_bot: true, first_name: 'Test', username: 'test_bot', can_join_groups: true });
    } else if (method === 'getUpdates') {
      const offset = Number(body.offset ?? 0);
      while (queue.length && (queue[0] as { update_id: number }).update_id < offset) queue.shift();
      if (!queue.length) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(Number(body.timeout ?? 0), 1) * 1000);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      reply(queue.filter((u) => (u as { update_id: number }).update_id >= offset));
    } else if (method === 'sendMessage') {
      sent.push(body as SentMessage);
      reply({
        message_id: nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: body.chat_id, type: 'private' },
        text: body.text,
      });
    } else {
      reply(true);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    token,
    apiRoot: `http://127.0.0.1:${port}`,
    sent,
    calls,
    bodies,
    /** A private text message update from a user (not queued: for webhook tests). */
    textUpdate(text: string, from = { id: 1001, first_name: 'Ann', language_code: 'en' }) {
      return {
        update_id: nextUpdateId++,
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: from.id, type: 'private', first_name: from.first_name },
          from: { ...from, is_bot: false },
          text,
          ...(text.startsWith('/')
            ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] }
            : {}),
        },
      };
    },
    /** Queues a private text message from a user, as Telegram would deliver it. */
    sendText(text: string, from = { id: 1001, first_name: 'Ann', language_code: 'en' }) {
      const update = {
        update_id: nextUpdateId++,
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: from.id, type: 'private', first_name: from.first_name },
          from: { ...from, is_bot: false },
          text,
          ...(text.startsWith('/')
            ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] }
            : {}),
        },
      };
      queue.push(update);
      for (const wake of waiters.splice(0)) wake();
      return update;
    },
    async waitForMessage(predicate: (m: SentMessage) => boolean, timeoutMs = 10_000): Promise<SentMessage> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = sent.find(predicate);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no matching message; sent: ${JSON.stringify(sent)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const wake of waiters.splice(0)) wake();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
