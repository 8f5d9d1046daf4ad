import { Tokens } from '@botloom/core';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import type { CommentatorMessageReceived } from '@botloom/plugin-commentator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import commentatorPlugin from '../src/index.js';
import { createChannel, eventually, type SandboxChannel, servicesOf } from './support/helpers.js';

const OWNER = 610_001;
const READER = 610_002;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let t: TestApp;
let ch: SandboxChannel;
let channelRowId: number;
const received: CommentatorMessageReceived[] = [];

beforeAll(async () => {
  t = await startTestApp({
    // No spacing between comments: the retried comment is due at once, not two minutes later.
    plugins: [
      commentatorPlugin({
        brandName: 'Acme Bikes',
        topics: ['electric bikes', 'bike rental'],
        minSpacingSeconds: 0,
      }),
    ],
  });
  await t.sandbox.createUser({ id: OWNER, first_name: 'Olga' });
  await t.sandbox.createUser({ id: READER, first_name: 'Rita' });
  ch = await createChannel(t, OWNER, 'Acme news', { memberIds: [READER] });
  const events = t.app.resolver()(Tokens.Events);
  events.on('commentator.message.received', (m) => {
    received.push(m);
  });
  const res = await t.admin.post('/admin/api/commentator/channels', { chatId: ch.channelId });
  expect(res.status).toBe(201);
  channelRowId = res.body.channel.id;
});

afterAll(() => t?.stop());

async function draftFor(messageText: string) {
  return eventually(async () => {
    const res = await t.admin.get('/admin/api/commentator/drafts');
    return res.body.items.find((d: { postText: string }) => d.postText === messageText);
  });
}

describe('a channel the bot administers, end to end through the sandbox', { timeout: 180_000 }, () => {
  it('registers the channel with comments open and as ours', async () => {
    const res = await t.viewer.get('/admin/api/commentator/channels');
    expect(res.status).toBe(200);
    const channel = res.body.items.find((c: { chatId: number }) => c.chatId === ch.channelId);
    expect(channel).toMatchObject({
      title: 'Acme news',
      route: 'bot',
      commentsOpen: true,
      owned: true,
      discussionChatId: ch.groupId,
      neverComment: false,
      autoApprove: false,
    });
  });

  it('post -> offline analysis -> draft with disclosure -> approve -> reply under the post -> engagement', async () => {
    const text = 'Our new electric bikes ride 120 km on one charge. Test rides this weekend in the park!';
    const post = await t.sandbox.postInChannel(ch.channelId, text, OWNER);

    const draft = await draftFor(text);
    expect(draft.status).toBe('pending');
    expect(draft.offline).toBe(true);
    expect(draft.language).toBe('en');
    expect(draft.text.endsWith('\n\n— Acme Bikes')).toBe(true);
    expect(draft.text.length).toBeLessThanOrEqual(300);

    const posts = await t.viewer.get(`/admin/api/commentator/posts?channel=${channelRowId}`);
    const stored = posts.body.items.find((p: { messageId: number }) => p.messageId === post.message_id);
    expect(stored).toMatchObject({
      text,
      media: null,
      status: 'drafted',
      analysisOffline: true,
      relevance: 1,
    });
    expect(stored.analysis).toMatchObject({ language: 'en', topic: 'electric bikes' });
    expect(stored.analysis.main_idea).toBe('Our new electric bikes ride 120 km on one charge.');
    expect(stored.analysis.keywords).toContain('bikes');

    // Nothing is sent before a person approves.
    const before = await t.sandbox.transcript(ch.groupId);
    expect(before.filter((m) => m.from?.is_bot)).toHaveLength(0);

    expect((await t.viewer.post(`/admin/api/commentator/drafts/${draft.id}/approve`)).status).toBe(403);
    const approved = await t.admin.post(`/admin/api/commentator/drafts/${draft.id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.draft.status).toMatch(/scheduled|sending|sent/);
    expect(approved.body.draft.decidedBy).toBe('admin:test-admin');

    const sent = await eventually(async () => {
      const res = await t.admin.get(`/admin/api/commentator/drafts/${draft.id}`);
      return res.body.draft.status === 'sent' ? res.body.draft : null;
    });
    const group = await t.sandbox.transcript(ch.groupId);
    const forward = group.find((m) => (m as { is_automatic_forward?: boolean }).is_automatic_forward);
    const ours = group.filter((m) => m.from?.is_bot);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.text).toBe(draft.text);
    expect(ours[0]!.reply_to_message?.message_id).toBe(forward!.message_id);
    expect(sent.sentMessageId).toBe(ours[0]!.message_id);
    expect(sent.sentChatId).toBe(ch.groupId);

    // A reader answers our comment: stored, emitted as a lead, counted as engagement.
    await t.sandbox.sendMessage(READER, 'How much is a test ride?', {
      chatId: ch.groupId,
      replyToMessageId: ours[0]!.message_id,
    });
    await eventually(async () => received.find((m) => m.text === 'How much is a test ride?'));
    expect(received[0]).toMatchObject({
      kind: 'reply',
      fromUserId: READER,
      commentId: draft.id,
      chatId: ch.groupId,
    });

    await servicesOf(t).engagement.measure();
    const comments = await t.viewer.get('/admin/api/commentator/comments');
    expect(comments.body.items[0]).toMatchObject({ id: draft.id, replies: 1, reactions: 0 });

    // Readers react to our comment (the bot gets message_reaction as the group's admin).
    await t.sandbox.react(READER, ch.groupId, ours[0]!.message_id, ['👍']);
    await t.sandbox.react(OWNER, ch.groupId, ours[0]!.message_id, ['🔥']);
    await t.sandbox.react(OWNER, ch.groupId, ours[0]!.message_id, ['❤']);
    expect((await t.sandbox.reactions(ch.groupId, ours[0]!.message_id)).length).toBe(2);
    await eventually(async () => {
      await servicesOf(t).engagement.measure();
      const res = await t.viewer.get('/admin/api/commentator/comments');
      return res.body.items[0].reactions === 2;
    });
    await t.sandbox.react(READER, ch.groupId, ours[0]!.message_id, []);
    await eventually(async () => {
      await servicesOf(t).engagement.measure();
      const res = await t.viewer.get('/admin/api/commentator/comments');
      return res.body.items[0].reactions === 1;
    });

    const messages = await t.viewer.get('/admin/api/commentator/messages');
    expect(messages.body.contentIncluded).toBe(false);
    expect(messages.body.items[0].text).toBeNull();
    const asAdmin = await t.admin.get('/admin/api/commentator/messages');
    expect(asAdmin.body.items[0].text).toBe('How much is a test ride?');

    const stats = await t.viewer.get('/admin/api/commentator/stats');
    expect(stats.body).toMatchObject({ sent: 1, engagement: { replies: 1, reactions: 1 } });
    expect(stats.body.perChannel.find((c: { id: number }) => c.id === channelRowId)).toMatchObject({
      posts: 1,
      skipped: 0,
      drafted: 1,
      approved: 1,
      sent: 1,
      replies: 1,
      reactions: 1,
    });
    expect(stats.body.perAccount.find((a: { id: number }) => a.id === draft.accountId)).toMatchObject({
      sent: 1,
      replies: 1,
      reactions: 1,
    });
  });

  it('a post off the brand topics is stored and skipped with the reason', async () => {
    const text = 'The weather today is rainy and cold across the city.';
    const post = await t.sandbox.postInChannel(ch.channelId, text, OWNER);
    const stored = await eventually(async () => {
      const res = await t.viewer.get(`/admin/api/commentator/posts?channel=${channelRowId}`);
      const p = res.body.items.find((x: { messageId: number }) => x.messageId === post.message_id);
      return p?.status === 'skipped' ? p : null;
    });
    expect(stored.skipReason).toMatch(/^below_threshold: relevance 0 < 0.34/);
  });

  it('a media-only post is stored with its media and skipped: no text to comment on', async () => {
    const post = t.emulator.world.channelPost(
      ch.channelId,
      { photo: { data: PNG, fileName: 'bike.png' } },
      OWNER,
    );
    const stored = await eventually(async () => {
      const res = await t.viewer.get(`/admin/api/commentator/posts?channel=${channelRowId}`);
      const p = res.body.items.find((x: { messageId: number }) => x.messageId === post.message_id);
      return p?.status === 'skipped' ? p : null;
    });
    expect(stored).toMatchObject({ text: '', media: { kind: 'photo' }, analysis: null });
    expect(stored.skipReason).toMatch(/^no_text/);
  });

  it('"never comment here" keeps the channel read-only', async () => {
    const patch = await t.admin.patch(`/admin/api/commentator/channels/${channelRowId}`, {
      neverComment: true,
    });
    expect(patch.status).toBe(200);
    const text = 'Electric bikes rental opens in May.';
    await t.sandbox.postInChannel(ch.channelId, text, OWNER);
    const stored = await eventually(async () => {
      const res = await t.viewer.get(`/admin/api/commentator/posts?channel=${channelRowId}`);
      const p = res.body.items.find((x: { text: string }) => x.text === text);
      return p?.status === 'skipped' ? p : null;
    });
    expect(stored.skipReason).toMatch(/^never_comment/);
    await t.admin.patch(`/admin/api/commentator/channels/${channelRowId}`, { neverComment: false });
  });

  it('the automatic forward may be handled before the channel post: stored once, mapping kept', async () => {
    const s = servicesOf(t);
    const copy = await s.channels.recordDiscussionCopy({
      channelChatId: ch.channelId,
      channelMessageId: 9001,
      discussionChatId: ch.groupId,
      discussionMessageId: 7001,
      text: 'Forward first.',
      media: null,
      date: new Date(),
    });
    expect(copy?.created).toBe(true);
    const again = await s.channels.ingest({
      chatId: ch.channelId,
      messageId: 9001,
      text: 'Forward first.',
      media: null,
      date: new Date(),
    });
    expect(again).toBeNull();
    const second = await s.channels.recordDiscussionCopy({
      channelChatId: ch.channelId,
      channelMessageId: 9001,
      discussionChatId: ch.groupId,
      discussionMessageId: 7001,
      text: 'Forward first.',
      media: null,
      date: new Date(),
    });
    expect(second).toMatchObject({ created: false, post: { discussionMessageId: 7001 } });
  });

  it('a rejected draft is never sent', async () => {
    const text = 'Spring service for electric bikes: free check-up in April.';
    await t.sandbox.postInChannel(ch.channelId, text, OWNER);
    const draft = await draftFor(text);
    const rejected = await t.admin.post(`/admin/api/commentator/drafts/${draft.id}/reject`);
    expect(rejected.body.draft.status).toBe('rejected');
    const again = await t.admin.post(`/admin/api/commentator/drafts/${draft.id}/approve`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DRAFT_NOT_PENDING');
  });
  it('a send interrupted by a crash is UNKNOWN_OUTCOME: shown, and retried only when an admin confirms', async () => {
    const text = 'Electric bikes: our winter storage service starts in November.';
    const post = await t.sandbox.postInChannel(ch.channelId, text, OWNER);
    const draft = await draftFor(text);
    // The process died while sending it through the Bot API: claimed long ago, still "sending".
    const db = t.app.database!.sequelize;
    await db.query(`UPDATE commentator_generated_comments SET status = 'sending' WHERE id = $1;`, {
      bind: [draft.id],
    });
    await db.query(
      `INSERT INTO commentator_comment_schedules (comment_id, due_at, claimed_at, attempts)
       VALUES ($1, now() - interval '1 hour', now() - interval '1 hour', 1)`,
      { bind: [draft.id] },
    );
    expect(await servicesOf(t).scheduler.recoverStuck()).toBe(1);

    const failed = await t.viewer.get('/admin/api/commentator/drafts?status=failed');
    const shown = failed.body.items.find((d: { id: number }) => d.id === draft.id);
    expect(shown).toMatchObject({ status: 'failed', outcomeUnknown: true });
    expect(shown.failureReason).toMatch(/^UNKNOWN_OUTCOME/);

    const url = `/admin/api/commentator/drafts/${draft.id}/retry`;
    expect((await t.viewer.post(url, { confirm: true })).status).toBe(403);
    const unconfirmed = await t.admin.post(url);
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error.code).toBe('CONFIRMATION_REQUIRED');
    expect((await t.admin.post(url, { confirm: 'yes' })).status).toBe(422);
    // Nothing was sent meanwhile, and the comment is still failed.
    const still = await t.viewer.get(`/admin/api/commentator/drafts/${draft.id}`);
    expect(still.body.draft.status).toBe('failed');
    // Our comments under this post: bot replies to the post's automatic forward.
    const group = async () => {
      const messages = await t.sandbox.transcript(ch.groupId);
      const forward = messages.find(
        (m) => (m.forward_origin as { message_id?: number } | undefined)?.message_id === post.message_id,
      );
      return messages.filter((m) => m.from?.is_bot && m.reply_to_message?.message_id === forward?.message_id);
    };
    expect(await group()).toHaveLength(0);

    const retried = await t.admin.post(url, { confirm: true });
    expect(retried.status).toBe(200);
    expect(retried.body.draft.status).toMatch(/scheduled|sending|sent/);
    expect(retried.body.draft.outcomeUnknown).toBe(false);
    await eventually(async () => {
      const res = await t.viewer.get(`/admin/api/commentator/drafts/${draft.id}`);
      return res.body.draft.status === 'sent';
    });
    expect(await group()).toHaveLength(1);
    const again = await t.admin.post(url, { confirm: true });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('COMMENT_NOT_FAILED');
  });
  it('a channel whose comments closed since the draft refuses both approve and retry, the same way', async () => {
    const text = 'Electric bikes for couriers: fleet rental with service included.';
    await t.sandbox.postInChannel(ch.channelId, text, OWNER);
    const draft = await draftFor(text);
    const db = t.app.database!.sequelize;
    // The channel unlinked its discussion group after the draft was written.
    await db.query('UPDATE commentator_telegram_channels SET comments_open = false WHERE id = $1', {
      bind: [channelRowId],
    });
    try {
      const approved = await t.admin.post(`/admin/api/commentator/drafts/${draft.id}/approve`);
      expect(approved.status).toBe(409);
      expect(approved.body.error.code).toBe('COMMENTS_CLOSED');
      // Had it been approved earlier and failed to send, a retry now is refused just the same.
      await db.query(
        `UPDATE commentator_generated_comments SET status = 'failed', failure_reason = 'ERROR: gave up after 5 attempts'
         WHERE id = $1`,
        { bind: [draft.id] },
      );
      const retried = await t.admin.post(`/admin/api/commentator/drafts/${draft.id}/retry`);
      expect(retried.status).toBe(approved.status);
      expect(retried.body.error.code).toBe('COMMENTS_CLOSED');
      const still = await t.viewer.get(`/admin/api/commentator/drafts/${draft.id}`);
      expect(still.body.draft.status).toBe('failed');
    } finally {
      await db.query('UPDATE commentator_telegram_channels SET comments_open = true WHERE id = $1', {
        bind: [channelRowId],
      });
    }
  });
});
