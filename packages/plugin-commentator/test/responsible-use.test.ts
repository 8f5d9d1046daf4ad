import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import commentatorPlugin from '../src/index.js';
import { FakeTelegram } from './support/fake-gateway.js';
import { fakeClock, servicesOf } from './support/helpers.js';

const API = '/admin/api/commentator';
const CHANNEL = -1_001_700_000_001;
const DISCUSSION = -1_001_700_000_002;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const tg = new FakeTelegram();
tg.addChannel(CHANNEL, DISCUSSION);
// 09:00 UTC sharp: the first comment opens an hour bucket.
const time = fakeClock(new Date('2030-01-07T09:00:00Z'));

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    plugins: [
      commentatorPlugin(
        {
          brandName: 'Acme',
          accountHourlyCap: 2,
          accountDailyCap: 3,
          channelDailyCap: 50,
          minSpacingSeconds: 600,
        },
        { clock: time.clock, accountGateway: tg },
      ),
    ],
  });
});

afterAll(() => t?.stop());

describe('responsible use: defaults and account caps', { timeout: 180_000 }, () => {
  const drafts: Array<{ id: number; text: string; status: string }> = [];

  it('a new account discloses itself and every draft waits for a person', async () => {
    const created = await t.admin.post(`${API}/accounts`, { phone: '+15557654321', label: 'Acme team' });
    const accountId = created.body.account.id;
    expect((await t.admin.post(`${API}/accounts/${accountId}/code`, { code: '24680' })).body.status).toBe(
      'signed_in',
    );
    const channel = await t.admin.post(`${API}/channels`, { chatId: CHANNEL, route: 'account', accountId });
    expect(channel.body.channel).toMatchObject({ autoApprove: false, neverComment: false });

    for (let i = 1; i <= 7; i++) tg.post(CHANNEL, `Trail news number ${i}: the forest path is open.`);
    const s = servicesOf(t);
    const posts = await s.channels.pollAccountChannels();
    expect(posts).toHaveLength(7);
    for (const post of posts) {
      const outcome = await s.pipeline.process(post.id);
      expect(outcome.status).toBe('drafted');
      drafts.push((outcome as { comment: { id: number; text: string; status: string } }).comment);
    }
    // The disclosure line is on without anyone switching it on.
    for (const d of drafts) {
      expect(d.status).toBe('pending');
      expect(d.text.endsWith('\n\n— Acme team')).toBe(true);
    }
    // Nothing reaches Telegram, however long we wait, until a person approves.
    time.advance(3600);
    expect(await s.scheduler.runDue()).toEqual([]);
    expect(tg.sent).toHaveLength(0);
    time.set(new Date('2030-01-07T09:00:00Z'));
  });

  it('a burst of approvals is spread within the hourly and daily caps and the spacing', async () => {
    for (const d of drafts) expect((await t.admin.post(`${API}/drafts/${d.id}/approve`)).status).toBe(200);
    const slots: number[] = [];
    for (const d of drafts) {
      const draft = (await t.viewer.get(`${API}/drafts/${d.id}`)).body.draft;
      expect(['scheduled', 'sending', 'sent']).toContain(draft.status);
      slots.push(new Date(draft.sentAt ?? draft.dueAt).getTime());
    }
    slots.sort((a, b) => a - b);
    const day0 = new Date('2030-01-07T00:00:00Z').getTime();
    // 2 an hour, 3 a day, 10 minutes apart: 09:00, 09:10, 10:00; next day 00:00, 00:10, 01:00; ...
    expect(slots.map((s) => new Date(s).toISOString())).toEqual([
      '2030-01-07T09:00:00.000Z',
      '2030-01-07T09:10:00.000Z',
      '2030-01-07T10:00:00.000Z',
      '2030-01-08T00:00:00.000Z',
      '2030-01-08T00:10:00.000Z',
      '2030-01-08T01:00:00.000Z',
      '2030-01-09T00:00:00.000Z',
    ]);
    const count = (size: number) => {
      const buckets = new Map<number, number>();
      for (const s of slots) {
        const b = Math.floor((s - day0) / size);
        buckets.set(b, (buckets.get(b) ?? 0) + 1);
      }
      return Math.max(...buckets.values());
    };
    expect(count(HOUR)).toBeLessThanOrEqual(2);
    expect(count(DAY)).toBeLessThanOrEqual(3);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBeGreaterThanOrEqual(600_000);
  });
});

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/**
 * What the plugin must never be able to do (the "what we never build"), checked on its
 * source: a new call of any of these fails here and needs a reviewed exception.
 */
describe('responsible use: what the plugin cannot do', () => {
  const files = sources(join(import.meta.dirname, '..', 'src')).map((path) => ({
    path,
    text: readFileSync(path, 'utf8'),
  }));

  it('sets no reactions, views, members or subscribers, uses no proxies and no random delays', () => {
    const forbidden =
      /SendReaction|setMessageReaction|GetMessagesViews|InviteToChannel|AddChatUser|addChatMember|JoinChannel|ImportChatInvite|\bproxy\b|warm-?up|Math\.random|jitter/i;
    const hits = files.flatMap((f) =>
      f.text
        .split('\n')
        .filter((line) => forbidden.test(line) && !/^\s*(\*|\/\/)/.test(line))
        .map((line) => `${f.path}: ${line.trim()}`),
    );
    expect(hits).toEqual([]);
  });

  it('sends through MTProto only as a reply under a post: no way to write to a person first', () => {
    const mtproto = files.flatMap((f) =>
      [...f.text.matchAll(/Api\.messages\.(Send\w*|Forward\w*)/g)].map((m) => `${f.path}:${m[1]}`),
    );
    expect(mtproto).toEqual([expect.stringMatching(/gramjs-gateway\.ts:SendMessage$/)]);
    const gramjs = files.find((f) => f.path.endsWith('gramjs-gateway.ts'))!.text;
    const send = gramjs.slice(gramjs.indexOf('new Api.messages.SendMessage'));
    expect(send.slice(0, 400)).toMatch(/replyTo:\s*new Api\.InputReplyToMessage/);
    // The port has no private-message method at all.
    const port = files.find((f) => f.path.endsWith('user-account-gateway.ts'))!.text;
    expect(port).not.toMatch(/send(Direct|Private|Message)\w*\(/);
  });
});
