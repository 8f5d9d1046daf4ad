import { Tokens } from '@botloom/core';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import commentatorPlugin from '../src/index.js';
import { randomIdFor } from '../src/services/comment-transport.js';
import { FakeTelegram } from './support/fake-gateway.js';
import { eventually, fakeClock, servicesOf } from './support/helpers.js';

const API = '/admin/api/commentator';
const PHONE = '+15557654321';
const PHONE_2FA = '+15550002222';
const CHANNEL = -1_001_500_000_001;
const DISCUSSION = -1_001_500_000_002;
const CLOSED = -1_001_500_000_003;

const tg = new FakeTelegram();
tg.passwords.set(PHONE_2FA, 'correct horse');
tg.addChannel(CHANNEL, DISCUSSION);
tg.addChannel(CLOSED, null);
const time = fakeClock();
const responses: string[] = [];

let t: TestApp;

async function call(method: 'get' | 'post' | 'patch', path: string, body?: unknown) {
  const res = await t.admin[method](`${API}${path}`, body);
  responses.push(JSON.stringify(res.body));
  return res;
}

beforeAll(async () => {
  t = await startTestApp({
    plugins: [
      commentatorPlugin(
        { brandName: 'Acme', minSpacingSeconds: 0, accountHourlyCap: 3, loginCodeTtlSeconds: 300 },
        { clock: time.clock, accountGateway: tg },
      ),
    ],
    // Debug logs land in the panel's log buffer, which the secrets check reads.
    config: { LOG_LEVEL: 'debug', LOG_FORMAT: 'json' },
  });
});

afterAll(() => t?.stop());

let accountId: number;

describe('accounts: two-step login, security log, secrets', { timeout: 180_000 }, () => {
  it('wrong code, then an expired code, then the right code', async () => {
    const created = await call('post', '/accounts', { phone: PHONE, label: 'Acme team' });
    expect(created.status).toBe(201);
    expect(created.body.account).toMatchObject({ status: 'pending_code', phoneHint: '••21', kind: 'user' });
    accountId = created.body.account.id;

    const wrong = await call('post', `/accounts/${accountId}/code`, { code: '11111' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('PHONE_CODE_INVALID');

    time.advance(301);
    const expired = await call('post', `/accounts/${accountId}/code`, { code: '24680' });
    expect(expired.status).toBe(400);
    expect(expired.body.error.code).toBe('PHONE_CODE_EXPIRED');

    expect((await call('post', '/accounts', { phone: PHONE, label: 'Acme team' })).status).toBe(201);
    const ok = await call('post', `/accounts/${accountId}/code`, { code: '24680' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'signed_in', account: { status: 'active', signedIn: true } });

    const log = await call('get', `/accounts/${accountId}/log`);
    expect(log.body.items.map((e: { event: string }) => e.event).reverse()).toEqual([
      'code_requested',
      'login_failed',
      'login_failed',
      'code_requested',
      'login',
    ]);
    expect(
      log.body.items
        .filter((e: { event: string }) => e.event === 'login_failed')
        .map((e: any) => e.details.code),
    ).toEqual(['PHONE_CODE_EXPIRED', 'PHONE_CODE_INVALID']);
  });

  it('2FA: password asked, a wrong one refused, the right one signs in', async () => {
    const created = await call('post', '/accounts', { phone: PHONE_2FA, label: 'Ann from Acme' });
    const id = created.body.account.id;
    const asked = await call('post', `/accounts/${id}/code`, { code: '24680' });
    expect(asked.body.status).toBe('password_needed');
    const wrong = await call('post', `/accounts/${id}/code`, { code: '24680', password: 'nope' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('PASSWORD_INVALID');
    const ok = await call('post', '/login-codes', {
      accountId: id,
      code: '24680',
      password: 'correct horse',
    });
    expect(ok.body.status).toBe('signed_in');
    const out = await call('post', `/accounts/${id}/logout`);
    expect(out.body.account).toMatchObject({ status: 'logged_out', signedIn: false });
    const log = await call('get', `/accounts/${id}/log`);
    expect(log.body.items[0]).toMatchObject({ event: 'logout', details: { atTelegram: true } });
  });

  it('voice, caps and disclosure are edited; a viewer cannot', async () => {
    const patch = {
      voice: { style: 'short and friendly', tone: 'warm', phrases: ['See you on the trail!'] },
      disclosureText: '— Acme team (official)',
      hourlyCap: 2,
    };
    expect((await t.viewer.patch(`${API}/accounts/${accountId}`, patch)).status).toBe(403);
    const res = await call('patch', `/accounts/${accountId}`, patch);
    expect(res.status).toBe(200);
    expect(res.body.account).toMatchObject({ hourlyCap: 2, disclosureText: '— Acme team (official)' });
    expect(res.body.account.voice.phrases).toEqual(['See you on the trail!']);
  });
});

describe('the account route: comments, flood waits, PEER_FLOOD', { timeout: 180_000 }, () => {
  let channelId: number;

  it('a channel read by the account: auto-approve is refused (not shown to be ours), comments need approval', async () => {
    const res = await call('post', '/channels', { chatId: CHANNEL, route: 'account', accountId });
    expect(res.status).toBe(201);
    expect(res.body.channel).toMatchObject({
      owned: false,
      commentsOpen: true,
      discussionChatId: DISCUSSION,
    });
    channelId = res.body.channel.id;
    const auto = await call('patch', `/channels/${channelId}`, { autoApprove: true });
    expect(auto.status).toBe(409);
    expect(auto.body.error.code).toBe('AUTO_APPROVE_NOT_ALLOWED');
    const closed = await call('post', '/channels', { chatId: CLOSED, route: 'account', accountId });
    expect(closed.body.channel.commentsOpen).toBe(false);
    expect(
      (await call('post', '/channels', { chatId: -1_001_599_999_999, route: 'account', accountId })).status,
    ).toBe(404);
  });

  it('polls new posts, drafts in the voice, FLOOD_WAIT_X waits the full X seconds, sent once', async () => {
    tg.post(CHANNEL, 'Trail season opens: we repaired the forest paths.');
    const s = servicesOf(t);
    const fresh = await s.channels.pollAccountChannels();
    expect(fresh).toHaveLength(1);
    const outcome = await s.pipeline.process(fresh[0]!.id);
    expect(outcome.status).toBe('drafted');
    const draft = (outcome as { comment: { id: number; text: string } }).comment;
    expect(draft.text).toContain('See you on the trail!');
    expect(draft.text.endsWith('\n\n— Acme team (official)')).toBe(true);

    tg.failNextSend('FLOOD_WAIT', 420);
    const approved = await call('post', `/drafts/${draft.id}/approve`);
    expect(approved.status).toBe(200);
    const waited = await eventually(async () => {
      const d = (await call('get', `/drafts/${draft.id}`)).body.draft;
      return d.status === 'scheduled' && new Date(d.dueAt).getTime() > time.clock().getTime() ? d : null;
    });
    expect(new Date(waited.dueAt).getTime() - time.clock().getTime()).toBe(420_000);
    const account = (await call('get', '/accounts')).body.items.find(
      (a: { id: number }) => a.id === accountId,
    );
    expect(account).toMatchObject({ status: 'paused', pauseReason: 'flood_wait' });

    time.advance(419);
    expect(await s.scheduler.runDue()).toEqual([]);
    expect(tg.sent).toHaveLength(0);
    time.advance(1);
    const sent = await s.scheduler.runDue();
    expect(sent).toEqual([{ status: 'sent', messageId: expect.any(Number) }]);
    expect(await s.scheduler.runDue()).toEqual([]);
    expect(tg.sent).toHaveLength(1);
    expect(tg.sent[0]).toMatchObject({ chatId: DISCUSSION, replyTo: 501, text: draft.text });
    expect(tg.sent[0]!.randomId).toBe(
      randomIdFor((await call('get', `/drafts/${draft.id}`)).body.draft.idempotencyKey),
    );
    const log = (await call('get', `/accounts/${accountId}/log`)).body.items.map(
      (e: { event: string }) => e.event,
    );
    expect(log).toEqual(expect.arrayContaining(['flood_wait', 'paused', 'resumed']));
  });

  // Approval queues the send job at once, so these tests watch what it did (a direct send
  // here would race it) and check the end state: one message per comment.
  const draftOf = async (id: number) => (await call('get', `/drafts/${id}`)).body.draft;

  it('SLOWMODE_WAIT_X reschedules that comment by X seconds', async () => {
    const s = servicesOf(t);
    tg.post(CHANNEL, 'New trail map is online.');
    const [post] = await s.channels.pollAccountChannels();
    const outcome = (await s.pipeline.process(post!.id)) as { comment: { id: number } };
    const id = outcome.comment.id;
    tg.failNextSend('SLOWMODE_WAIT', 30);
    const approvedAt = time.clock().getTime();
    await s.scheduler.approve(id, 'test');
    const waited = await eventually(async () => {
      const d = await draftOf(id);
      return d.status === 'scheduled' && new Date(d.dueAt).getTime() > approvedAt ? d : null;
    });
    expect(new Date(waited.dueAt).getTime() - approvedAt).toBe(30_000);
    expect(tg.sent).toHaveLength(1);
    time.advance(30);
    await s.scheduler.runDue();
    await eventually(async () => (await draftOf(id)).status === 'sent');
    expect(tg.sent).toHaveLength(2);
  });

  it('PEER_FLOOD pauses the account and alerts; nothing is sent until a person resumes it', async () => {
    const s = servicesOf(t);
    const paused: unknown[] = [];
    s.review.alert = async (text: string) => {
      paused.push(text);
    };
    time.advance(3600);
    tg.post(CHANNEL, 'Bike wash station added at the trailhead.');
    const [post] = await s.channels.pollAccountChannels();
    const outcome = (await s.pipeline.process(post!.id)) as { comment: { id: number } };
    tg.failNextSend('PEER_FLOOD');
    const id = outcome.comment.id;
    await s.scheduler.approve(id, 'test');
    await eventually(async () => paused.length > 0);
    expect(paused).toHaveLength(1);
    // In the review chat's words (locales), naming the account.
    expect(paused[0]).toMatch(/^⚠️ Account .+ is paused: PEER_FLOOD\. Resume it in the admin panel/);
    const account = (await call('get', '/accounts')).body.items.find(
      (a: { id: number }) => a.id === accountId,
    );
    expect(account).toMatchObject({ status: 'paused', pauseReason: 'peer_flood', pausedUntil: null });
    time.advance(86_400);
    expect(await s.scheduler.runDue()).toEqual([{ status: 'account_unavailable' }]);
    expect((await draftOf(id)).status).toBe('scheduled');
    expect(tg.sent).toHaveLength(2);
    expect((await call('post', `/accounts/${accountId}/resume`)).body.resumed).toBe(true);
    await s.scheduler.runDue();
    await eventually(async () => (await draftOf(id)).status === 'sent');
    expect(tg.sent).toHaveLength(3);
  });

  it('a comment whose discussion is gone fails with the reason', async () => {
    const s = servicesOf(t);
    time.advance(3600);
    tg.post(CHANNEL, 'Trail closed for a race on Sunday.');
    const [post] = await s.channels.pollAccountChannels();
    const outcome = (await s.pipeline.process(post!.id)) as { comment: { id: number } };
    tg.failNextSend('CHAT_GUEST_SEND_FORBIDDEN');
    await s.scheduler.approve(outcome.comment.id, 'test');
    const failed = await eventually(async () => {
      const d = await draftOf(outcome.comment.id);
      return d.status === 'failed' ? d : null;
    });
    expect(failed.failureReason).toMatch(/^CHAT_GUEST_SEND_FORBIDDEN/);
  });

  it('engagement through the account: replies become leads, reactions are counted', async () => {
    const s = servicesOf(t);
    const first = tg.sent[0]!;
    tg.replies.set(`${DISCUSSION}:${first.messageId}`, [
      {
        kind: 'reply',
        chatId: DISCUSSION,
        messageId: 9001,
        fromUserId: 4242,
        fromName: 'Dana',
        text: 'Are e-bikes allowed on the trail?',
        replyToMessageId: first.messageId,
        date: new Date(),
      },
    ]);
    await s.engagement.measure();
    await s.engagement.measure();
    const comments = await call('get', '/comments');
    const row = comments.body.items.find((c: { messageId: number }) => c.messageId === first.messageId);
    expect(row).toMatchObject({ replies: 1, reactions: 2 });
  });
});

describe('people who write first', { timeout: 180_000 }, () => {
  it('a private message to the account is stored once and announced; nothing is written back', async () => {
    const s = servicesOf(t);
    const seen: unknown[] = [];
    const off = t.app
      .resolver()(Tokens.Events)
      .on('commentator.message.received', (m) => {
        seen.push(m);
      });
    tg.directs.push({
      kind: 'direct',
      chatId: 31337,
      messageId: 5,
      fromUserId: 31337,
      fromName: 'Lea',
      text: 'Do you sell gift cards?',
      date: new Date(time.clock().getTime() - 60_000),
    });
    const sentBefore = tg.sent.length;
    expect(await s.directMessages.poll()).toBe(1);
    expect(await s.directMessages.poll()).toBe(0);
    off();
    expect(seen).toEqual([
      expect.objectContaining({
        kind: 'direct',
        fromUserId: 31337,
        text: 'Do you sell gift cards?',
        commentId: null,
      }),
    ]);
    expect(tg.sent.length).toBe(sentBefore);
    const messages = await t.admin.get(`${API}/messages`);
    expect(messages.body.items[0]).toMatchObject({
      kind: 'direct',
      text: 'Do you sell gift cards?',
      fromName: 'Lea',
    });
  });
});

describe('secrets never leave in plaintext', { timeout: 180_000 }, () => {
  it('the phone numbers and session strings are in no table, no log line, no API response', async () => {
    const secrets = [PHONE, PHONE.slice(1), PHONE_2FA, PHONE_2FA.slice(1)];
    const sessionOf = (phone: string) => `1BQANOTEzMTU0${phone.slice(1)}SECRETSESSION`;
    secrets.push(sessionOf(PHONE), sessionOf(PHONE_2FA));

    const sequelize = t.app.database!.sequelize;
    const tables = await sequelize.query<{ table_name: string }>(
      `SELECT table_name AS "table_name" FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' AND table_schema = 'public'`,
      { type: QueryTypes.SELECT },
    );
    let dump = '';
    for (const { table_name } of tables) {
      const rows = await sequelize.query(`SELECT * FROM "${table_name}"`, { type: QueryTypes.SELECT });
      dump += JSON.stringify(rows);
    }
    expect(dump).toContain('commentator'); // the dump is real
    expect(dump).toContain('v1:'); // the secrets are there, as ciphertext

    for (const path of [
      '/accounts',
      `/accounts/${accountId}/log`,
      '/channels',
      '/drafts',
      '/stats',
      '/messages',
    ]) {
      responses.push(JSON.stringify((await t.admin.get(`${API}${path}`)).body));
    }
    const logs = await t.admin.get('/admin/api/core/panel/logs?limit=1000');
    expect(logs.status).toBe(200);
    const logText = JSON.stringify(logs.body);
    expect(logs.body.entries.length).toBeGreaterThan(10);

    for (const secret of secrets) {
      expect(dump.includes(secret), `database holds ${secret}`).toBe(false);
      expect(logText.includes(secret), `logs hold ${secret}`).toBe(false);
      for (const r of responses) expect(r.includes(secret), `a response holds ${secret}`).toBe(false);
    }
  });
});
