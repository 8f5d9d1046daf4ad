/**
 * The Meta side end to end: signed deliveries into the app's webhook, the fake Graph API on
 * the other side, the offline LLM (or the fake OpenAI server) writing replies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../src/services/signature.js';
import {
  deletedItem,
  echoItem,
  messageItem,
  reactionItem,
  seenItem,
  webhookEnvelope,
} from '../src/testing/index.js';
import {
  APP_SECRET,
  api,
  type InstagramTestApp,
  startInstagramTestApp,
  VERIFY_TOKEN,
} from './support/instagram-test-app.js';

let t: InstagramTestApp;
beforeAll(async () => {
  t = await startInstagramTestApp({ maxWebhookBytes: 8192 });
});
afterAll(() => t?.stop());

const deliveries = async () =>
  (await t.query<{ n: number }>('SELECT count(*)::int AS n FROM instagram_deliveries'))[0]!.n;
const conversationOf = async (igsid: string) =>
  t.waitFor(
    async () =>
      (
        await t.query<{ id: string }>('SELECT id FROM instagram_conversations WHERE thread_id = $1', [igsid])
      )[0]?.id,
    `conversation ${igsid}`,
  );
/** Waits until the reply to `igsid` is sent and recorded, and returns the sent message. */
const replied = async (igsid: string) => {
  const sent = await t.graph.waitForSent((m) => m.recipient === igsid);
  await t.waitFor(
    async () =>
      (await t.query(`SELECT 1 FROM instagram_messages WHERE mid = $1`, [sent.messageId])).length > 0,
    `reply to ${igsid} recorded`,
  );
  return sent;
};
const outboxOf = async (igsid: string) =>
  t.query<{
    status: string;
    error_code: string | null;
    attempts: number;
    author: string;
    tag: string | null;
  }>(
    'SELECT status, error_code, attempts, author, tag FROM instagram_outbox WHERE recipient = $1 ORDER BY created_at',
    [igsid],
  );

describe('webhook verification (GET)', () => {
  it('answers the challenge as plain text for the right token', async () => {
    const res = await t.sender.verify(VERIFY_TOKEN, 'challenge-123');
    expect(res.status).toBe(200);
    expect(res.text).toBe('challenge-123');
  });

  it('refuses a wrong token or mode with 403', async () => {
    expect((await t.sender.verify('wrong-token')).status).toBe(403);
    const res = await fetch(
      `${t.app.url}/p/instagram/webhook?hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
    );
    expect(res.status).toBe(403);
  });
});

describe('webhook deliveries (POST)', () => {
  it('refuses a missing, tampered or re-serialised signature with 401 and stores nothing', async () => {
    const before = await deliveries();
    const raw = JSON.stringify(
      webhookEnvelope(t.graph.accountId, [messageItem(t.graph.accountId, '7001', 'hi')]),
    );
    expect((await t.sender.deliverRaw(raw)).status).toBe(401);
    expect((await t.sender.deliverRaw(raw.replace('hi', 'ho'), signBody(APP_SECRET, raw))).status).toBe(401);
    const spaced = JSON.stringify(JSON.parse(raw), null, 1);
    expect((await t.sender.deliverRaw(raw, signBody(APP_SECRET, spaced))).status).toBe(401);
    expect((await t.sender.deliverRaw(raw, signBody('another-secret', raw))).status).toBe(401);
    expect(await deliveries()).toBe(before);
    expect(t.graph.sentTo('7001')).toEqual([]);
  });

  it('checks the signature before parsing: a non-JSON body gets 401 unsigned, 400 signed', async () => {
    const before = await deliveries();
    const junk = 'this is {not json';
    expect((await t.sender.deliverRaw(junk)).status).toBe(401);
    expect((await t.sender.deliverRaw(junk, signBody('another-secret', junk))).status).toBe(401);
    const signed = await t.sender.deliverRaw(junk, signBody(APP_SECRET, junk));
    expect(signed.status).toBe(400);
    expect(JSON.parse(signed.text).error.code).toBe('MALFORMED_JSON');
    // Another content type is read raw too: unsigned 401, signed JSON accepted.
    const plain = async (raw: string, signature?: string) =>
      (
        await fetch(`${t.app.url}/p/instagram/webhook`, {
          method: 'POST',
          headers: {
            'content-type': 'text/plain',
            ...(signature ? { 'x-hub-signature-256': signature } : {}),
          },
          body: raw,
        })
      ).status;
    expect(await plain(junk)).toBe(401);
    expect(await plain(junk, signBody(APP_SECRET, junk))).toBe(400);
    expect(await deliveries()).toBe(before);
    const json = JSON.stringify({ object: 'instagram', entry: [] });
    expect(await plain(json, signBody(APP_SECRET, json))).toBe(200);
    expect(await deliveries()).toBe(before + 1);
  });

  it('answers 413 to an oversized body', async () => {
    const raw = JSON.stringify(
      webhookEnvelope(t.graph.accountId, [messageItem(t.graph.accountId, '7002', 'x'.repeat(10_000))]),
    );
    const res = await t.sender.deliverRaw(raw, signBody(APP_SECRET, raw));
    expect(res.status).toBe(413);
  });

  it('records a signed payload of the wrong shape as bad, with 200', async () => {
    const res = await t.sender.deliver({ object: 'instagram', entry: 'not a list' });
    expect(res.status).toBe(200);
    const row = await t.waitFor(
      async () =>
        (
          await t.query<{ status: string; error: string }>(
            `SELECT status, error FROM instagram_deliveries WHERE status = 'bad'`,
          )
        )[0],
      'the bad delivery',
    );
    expect(row.error).toMatch(/entry/);
  });
});

describe('messages', () => {
  it('answers a DM with an AI reply inside the window; the text is encrypted at rest', async () => {
    const res = await t.sender.message('8001', 'Hello! What are your opening hours?');
    expect(res.status).toBe(200);
    expect(res.text).toBe('EVENT_RECEIVED');
    const reply = await replied('8001');
    expect(reply.messagingType).toBe('RESPONSE');
    expect(reply.tag).toBeUndefined();
    expect(reply.text).toMatch(/offline/i);
    const rows = await t.query<{
      content_encrypted: string;
      sender_type: string;
      sentiment: string;
      intent: string;
      analysis_source: string;
    }>(
      `SELECT m.content_encrypted, m.sender_type, m.sentiment, m.intent, m.analysis_source FROM instagram_messages m
         JOIN instagram_conversations c ON c.id = m.conversation_id WHERE c.thread_id = '8001' ORDER BY m.created_at`,
    );
    expect(rows.map((r) => r.sender_type)).toEqual(['user', 'bot']);
    expect(rows[0]!.content_encrypted).not.toContain('opening');
    expect(rows[0]!.analysis_source).toBe('offline-lexicon');
    expect(rows[0]!.intent).toBeTruthy();
    const raw = await t.query<{ body_encrypted: string }>('SELECT body_encrypted FROM instagram_deliveries');
    expect(raw.some((r) => r.body_encrypted.includes('opening'))).toBe(false);
  });

  it('handles a redelivered body and a re-batched message once', async () => {
    const item = messageItem(t.graph.accountId, '8002', 'Do you ship to Berlin?');
    const body = webhookEnvelope(t.graph.accountId, [item]);
    const first = await t.sender.deliver(body);
    const again = await t.sender.deliverRaw(first.raw, signBody(APP_SECRET, first.raw));
    const rebatched = await t.sender.deliver(
      webhookEnvelope(t.graph.accountId, [item], { time: Date.now() + 5 }),
    );
    expect([first.status, again.status, rebatched.status]).toEqual([200, 200, 200]);
    await t.graph.waitForSent((m) => m.recipient === '8002');
    await t.handled(item.message.mid);
    await t.waitFor(
      async () => (await t.query(`SELECT 1 FROM instagram_deliveries WHERE status = 'pending'`)).length === 0,
      'all deliveries processed',
    );
    expect(t.graph.sentTo('8002')).toHaveLength(1);
    const messages = await t.query(`SELECT 1 FROM instagram_messages WHERE mid = $1`, [item.message.mid]);
    expect(messages).toHaveLength(1);
  });

  it('records an echo (ours or from the Instagram app) and never answers it', async () => {
    const { mid } = await t.sender.message('8003', 'hi there');
    const ours = await replied('8003');
    await t.handled(mid);
    const appEcho = echoItem(t.graph.accountId, '8003', 'A teammate typed this in the Instagram app');
    await t.sender.items([echoItem(t.graph.accountId, '8003', ours.text!, ours.messageId), appEcho]);
    await t.handled(appEcho.message.mid);
    const rows = await t.query<{ sender_type: string; mid: string }>(
      `SELECT m.sender_type, m.mid FROM instagram_messages m JOIN instagram_conversations c ON c.id = m.conversation_id
        WHERE c.thread_id = '8003' ORDER BY m.created_at`,
    );
    expect(rows.map((r) => r.sender_type)).toEqual(['user', 'bot', 'echo']);
    expect(t.graph.sentTo('8003')).toHaveLength(1);
  });

  it('records reactions, reads, unsends and unknown kinds without replying', async () => {
    const { mid } = await t.sender.message('8004', 'first');
    await t.graph.waitForSent((m) => m.recipient === '8004');
    const unknown = {
      sender: { id: '8004' },
      recipient: { id: t.graph.accountId },
      timestamp: Date.now(),
      brand_new_kind: { x: 1 },
    };
    await t.sender.items([
      reactionItem(t.graph.accountId, '8004', mid),
      seenItem(t.graph.accountId, '8004', mid),
      deletedItem(t.graph.accountId, '8004', mid),
      unknown,
    ]);
    const kinds = await t.waitFor(async () => {
      const rows = await t.query<{ kind: string }>(
        `SELECT kind FROM instagram_events WHERE igsid = '8004' AND status = 'handled' ORDER BY id`,
      );
      return rows.length === 5 && rows.map((r) => r.kind);
    }, 'events of 8004');
    expect(kinds).toEqual(['message', 'reaction', 'seen', 'deleted', 'unknown']);
    const [message] = await t.query<{
      deleted_at: Date | null;
      content_encrypted: string | null;
      metadata: Record<string, unknown>;
    }>('SELECT deleted_at, content_encrypted, metadata FROM instagram_messages WHERE mid = $1', [mid]);
    expect(message!.deleted_at).not.toBeNull();
    expect(message!.content_encrypted).toBeNull();
    expect(message!.metadata).toMatchObject({ reaction: { emoji: '❤️' } });
    expect(t.graph.sentTo('8004')).toHaveLength(1);
  });

  it('stays silent in standby (another app owns the thread)', async () => {
    const { mid } = await t.sender.message('8005', 'hello from standby', { standby: true });
    await t.handled(mid);
    const [decision] = await t.query<{ action: string }>(
      `SELECT d.action FROM instagram_decisions d JOIN instagram_messages m ON m.id = d.message_id WHERE m.mid = $1`,
      [mid],
    );
    expect(decision!.action).toBe('standby');
    expect(t.graph.sentTo('8005')).toEqual([]);
  });
});

describe('the messaging window', () => {
  it('refuses the bot after 24 hours; a person’s reply after 30 hours carries HUMAN_AGENT; after 7 days nothing', async () => {
    const thirtyHoursAgo = new Date(Date.now() - 30 * 3600_000);
    const { mid } = await t.sender.message('8101', 'Are you there?', { at: thirtyHoursAgo });
    await t.handled(mid);
    const [auto] = await t.waitFor(async () => {
      const rows = await outboxOf('8101');
      return rows.length > 0 && rows;
    }, 'the auto reply');
    expect(auto).toMatchObject({ status: 'refused', error_code: 'bot_outside_24h', author: 'bot' });

    const id = await conversationOf('8101');
    const human = await t.app.admin.post(api(`/conversations/${id}/reply`), {
      text: 'Sorry for the wait, I am Anna from the team.',
    });
    expect(human.status).toBe(202);
    const sent = await t.graph.waitForSent((m) => m.recipient === '8101');
    expect(sent).toMatchObject({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

    const bot = await t.app.admin.post(api(`/conversations/${id}/ai-reply`), { send: true });
    expect(bot.status).toBe(409);
    expect(bot.body.error).toMatchObject({
      code: 'INSTAGRAM_OUTSIDE_WINDOW',
      details: { reason: 'bot_outside_24h' },
    });
    expect(t.graph.sentTo('8101')).toHaveLength(1);
    expect(t.graph.sentTo('8101').every((m) => m.tag === 'HUMAN_AGENT')).toBe(true);

    const { mid: oldMid } = await t.sender.message('8102', 'old', {
      at: new Date(Date.now() - 8 * 24 * 3600_000),
    });
    await t.handled(oldMid);
    const late = await t.app.admin.post(api(`/conversations/${await conversationOf('8102')}/reply`), {
      text: 'late',
    });
    expect(late.status).toBe(409);
    expect(late.body.error.details.reason).toBe('outside_human_agent_window');
    expect(t.graph.sentTo('8102')).toEqual([]);
  });

  it('keeps a reply Meta refused as outside the window, and retries rate-limited ones until sent', async () => {
    t.graph.addFault({ kind: 'outside_window', recipient: '8201' });
    await t.sender.message('8201', 'hello?');
    const refused = await t.waitFor(
      async () => (await outboxOf('8201')).find((r) => r.status === 'refused'),
      'refused reply',
    );
    expect(refused.error_code).toBe('outside_window');

    t.graph.addFault({ kind: 'rate_limit', recipient: '8202', times: 2 });
    await t.sender.message('8202', 'hello, anyone?');
    await t.graph.waitForSent((m) => m.recipient === '8202');
    const [entry] = await t.waitFor(async () => {
      const rows = await outboxOf('8202');
      return rows[0]?.status === 'sent' && rows;
    }, 'sent after retries');
    expect(entry!.attempts).toBe(2);
  });

  it('marks a reply failed on an expired token, and sends it when an admin retries', async () => {
    t.graph.addFault({ kind: 'token_expired', recipient: '8203' });
    await t.sender.message('8203', 'hello token');
    const failed = await t.waitFor(
      async () =>
        (
          await t.query<{ id: string; error_code: string }>(
            `SELECT id, error_code FROM instagram_outbox WHERE recipient = '8203' AND status = 'failed'`,
          )
        )[0],
      'failed reply',
    );
    expect(failed.error_code).toBe('bad_token');
    const retry = await t.app.admin.post(api(`/outbox/${failed.id}/retry`));
    expect(retry.status).toBe(200);
    await t.graph.waitForSent((m) => m.recipient === '8203');
  });
});
