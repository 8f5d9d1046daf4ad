/** The live inbox over a WebSocket: ticket-authenticated, live updates, replies as a person. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api, type InstagramTestApp, startInstagramTestApp } from './support/instagram-test-app.js';

let t: InstagramTestApp;
beforeAll(async () => {
  t = await startInstagramTestApp({ defaultAction: 'no_reply' });
});
afterAll(() => t?.stop());

interface Client {
  ws: WebSocket;
  next(match: (e: Record<string, any>) => boolean, what: string): Promise<Record<string, any>>;
}

async function connect(ticket: string): Promise<Client> {
  const ws = new WebSocket(`${t.app.url.replace('http', 'ws')}/p/instagram/inbox?ticket=${ticket}`);
  const events: Record<string, any>[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    events.push(JSON.parse(data.toString()));
    for (const w of waiters) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    next: (match, what) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const i = events.findIndex(match);
          if (i >= 0) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(events.splice(i, 1)[0]!);
          }
        };
        const timer = setTimeout(
          () => reject(new Error(`no ${what} within 30 s: ${JSON.stringify(events)}`)),
          30_000,
        );
        waiters.add(check);
        check();
      }),
  };
}

describe('live inbox', () => {
  it('refuses a socket without a valid ticket, and a ticket used twice', async () => {
    const status = (url: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => resolve(-1));
      });
    const base = `${t.app.url.replace('http', 'ws')}/p/instagram/inbox`;
    expect(await status(base)).toBe(401);
    expect(await status(`${base}?ticket=forged`)).toBe(401);
    const { ticket } = (await t.app.admin.get(api('/inbox/ticket'))).body;
    expect(await status(`${base}?ticket=${ticket}`)).toBe(101);
    expect(await status(`${base}?ticket=${ticket}`)).toBe(401);
  });

  it('shows new messages live; an admin replies as a person; a viewer may only watch', async () => {
    const admin = await connect((await t.app.admin.get(api('/inbox/ticket'))).body.ticket);
    await admin.next((e) => e.type === 'hello', 'hello');
    await t.sender.message('9501', 'Is anyone there?');
    const live = await admin.next(
      (e) => e.type === 'conversation' && e.conversation.igsid === '9501',
      'the new conversation',
    );
    const conversationId = live.conversation.id as string;

    admin.ws.send(JSON.stringify({ type: 'subscribe', conversationId }));
    const detail = await admin.next(
      (e) => e.type === 'conversation' && Array.isArray(e.messages),
      'the thread',
    );
    expect(detail.messages.map((m: { text: string }) => m.text)).toContain('Is anyone there?');

    admin.ws.send(JSON.stringify({ type: 'reply', conversationId, text: 'Hi, this is Olga from the team.' }));
    expect((await admin.next((e) => e.type === 'reply', 'the reply ack')).outbox.status).toBe('queued');
    const sent = await t.graph.waitForSent((m) => m.recipient === '9501');
    expect(sent).toMatchObject({ text: 'Hi, this is Olga from the team.', messagingType: 'RESPONSE' });

    const viewer = await connect((await t.app.viewer.get(api('/inbox/ticket'))).body.ticket);
    expect((await viewer.next((e) => e.type === 'hello', 'hello')).operator.role).toBe('viewer');
    viewer.ws.send(JSON.stringify({ type: 'reply', conversationId, text: 'viewer text' }));
    expect((await viewer.next((e) => e.type === 'error', 'the refusal')).code).toBe('FORBIDDEN');
    viewer.ws.send('not json');
    expect((await viewer.next((e) => e.type === 'error', 'bad event')).code).toBe('BAD_EVENT');
    admin.ws.close();
    viewer.ws.close();
    expect(t.graph.sentTo('9501')).toHaveLength(1);
  });
});
