import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import commentatorPlugin from '../src/index.js';
import { createChannel, eventually } from './support/helpers.js';

const OWNER = 620_001;
const API = '/admin/api/commentator';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    plugins: [commentatorPlugin({ brandName: 'Acme', channelDailyCap: 2, minSpacingSeconds: 0 })],
  });
  await t.sandbox.createUser({ id: OWNER, first_name: 'Olga' });
});

afterAll(() => t?.stop());

describe('admin API: rights and bad input', { timeout: 180_000 }, () => {
  it('viewers read, only admins change', async () => {
    const ch = await createChannel(t, OWNER, 'Rights');
    expect((await t.viewer.post(`${API}/channels`, { chatId: ch.channelId })).status).toBe(403);
    const created = await t.admin.post(`${API}/channels`, { chatId: ch.channelId });
    expect(created.status).toBe(201);
    const id = created.body.channel.id;
    expect((await t.viewer.patch(`${API}/channels/${id}`, { neverComment: true })).status).toBe(403);
    expect((await t.viewer.delete(`${API}/channels/${id}`)).status).toBe(403);
    expect((await t.viewer.post(`${API}/accounts`, { phone: '+15550001111', label: 'x' })).status).toBe(403);
    expect((await t.viewer.post(`${API}/drafts/1/reject`)).status).toBe(403);
    expect((await t.viewer.post(`${API}/decisions`, { draftId: 1, decision: 'approve' })).status).toBe(403);
    for (const path of ['/channels', '/posts', '/drafts', '/comments', '/accounts', '/stats', '/messages']) {
      expect((await t.viewer.get(`${API}${path}`)).status, path).toBe(200);
    }
    const anonymous = await fetch(`${t.url}${API}/channels`);
    expect(anonymous.status).toBe(401);
    expect((await t.admin.post(`${API}/channels`, { chatId: ch.channelId })).status).toBe(409);
    expect((await t.admin.delete(`${API}/channels/${id}`)).status).toBe(200);
  });

  it('an unknown channel is a 404, and so are unknown ids', async () => {
    const res = await t.admin.post(`${API}/channels`, { chatId: -1_009_999_999_999 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('CHANNEL_NOT_FOUND');
    expect((await t.admin.patch(`${API}/channels/9999`, { neverComment: true })).status).toBe(404);
    expect((await t.viewer.get(`${API}/posts?channel=9999`)).status).toBe(404);
    expect((await t.viewer.get(`${API}/drafts/9999`)).status).toBe(404);
    expect((await t.admin.post(`${API}/drafts/9999/approve`)).status).toBe(404);
    expect((await t.viewer.get(`${API}/accounts/9999/log`)).status).toBe(404);
  });

  it('refuses malformed bodies with 4xx', async () => {
    expect((await t.admin.post(`${API}/channels`, { chatId: 'abc' })).status).toBe(422);
    expect((await t.admin.post(`${API}/channels`, { chatId: 1, extra: true })).status).toBe(422);
    expect((await t.admin.get(`${API}/drafts?status=bogus`)).status).toBe(422);
    expect((await t.admin.patch(`${API}/drafts/1`, { text: '' })).status).toBe(422);
    expect((await t.admin.post(`${API}/accounts`, { phone: 'call me', label: 'x' })).status).toBe(400);
    expect((await t.admin.patch(`${API}/accounts/1`, { hourlyCap: 1000 })).status).toBe(422);
  });

  it('a channel with comments closed: posts are stored and analysed, no draft', async () => {
    const ch = await createChannel(t, OWNER, 'Closed', { discussion: false });
    const created = await t.admin.post(`${API}/channels`, { chatId: ch.channelId });
    expect(created.status).toBe(201);
    expect(created.body.channel.commentsOpen).toBe(false);
    const post = await t.sandbox.postInChannel(ch.channelId, 'News about our bikes.', OWNER);
    const stored = await eventually(async () => {
      const res = await t.viewer.get(`${API}/posts?channel=${created.body.channel.id}`);
      const p = res.body.items.find((x: { messageId: number }) => x.messageId === post.message_id);
      return p?.status === 'skipped' ? p : null;
    });
    expect(stored.skipReason).toMatch(/^comments_closed/);
  });

  it('posts of a channel nobody registered are ignored', async () => {
    const ch = await createChannel(t, OWNER, 'Unregistered');
    await t.sandbox.postInChannel(ch.channelId, 'Not monitored.', OWNER);
    const marker = await createChannel(t, OWNER, 'Marker');
    const created = await t.admin.post(`${API}/channels`, { chatId: marker.channelId });
    await t.sandbox.postInChannel(marker.channelId, 'Monitored.', OWNER);
    await eventually(async () => {
      const res = await t.viewer.get(`${API}/posts?channel=${created.body.channel.id}`);
      return res.body.total === 1;
    });
    const all = await t.viewer.get(`${API}/posts`);
    expect(all.body.items.map((p: { text: string }) => p.text)).not.toContain('Not monitored.');
  });

  it('auto-approve (opt-in on our own channel) still keeps the per-channel daily cap under a burst', async () => {
    const ch = await createChannel(t, OWNER, 'Burst');
    const created = await t.admin.post(`${API}/channels`, { chatId: ch.channelId });
    const id = created.body.channel.id;
    const patched = await t.admin.patch(`${API}/channels/${id}`, { autoApprove: true });
    expect(patched.body.channel.autoApprove).toBe(true);
    for (let i = 1; i <= 4; i++) await t.sandbox.postInChannel(ch.channelId, `Bike news number ${i}.`, OWNER);
    const drafts = await eventually(async () => {
      const res = await t.viewer.get(`${API}/drafts?limit=200`);
      const mine = res.body.items.filter((d: { channelId: number }) => d.channelId === id);
      return mine.length === 4 && mine.every((d: { status: string }) => d.status !== 'pending') ? mine : null;
    });
    expect(drafts.every((d: { decidedBy: string }) => d.decidedBy === 'auto-approve')).toBe(true);
    const sent = await eventually(async () => {
      const res = await t.viewer.get(`${API}/drafts?status=sent&limit=200`);
      const mine = res.body.items.filter((d: { channelId: number }) => d.channelId === id);
      return mine.length === 2 ? mine : null;
    });
    expect(sent).toHaveLength(2);
    const res = await t.viewer.get(`${API}/drafts?status=scheduled&limit=200`);
    const waiting = res.body.items.filter((d: { channelId: number }) => d.channelId === id);
    expect(waiting).toHaveLength(2);
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    for (const d of waiting) expect(new Date(d.dueAt).getTime()).toBeGreaterThanOrEqual(tomorrow.getTime());
    const group = await t.sandbox.transcript(ch.groupId);
    expect(group.filter((m) => m.from?.is_bot)).toHaveLength(2);
  });
});
