/**
 * A review card of an approved comment that waits for its turn says when it goes out, in the
 * operator's time zone and naming it: reviewers read the card in their own zones.
 */
import type { TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommentatorConfigSchema } from '../src/config.js';
import { formatInZone } from '../src/services/review-service.js';
import { eventually, type SandboxChannel } from './support/helpers.js';
import { startReviewDesk } from './support/review-desk.js';

const OWNER = 640_001;
const REVIEWER = 640_002;
const API = '/admin/api/commentator';
const WAIT = { timeoutMs: 45_000 };

let t: TestApp;
let REVIEW: number;
let ch: SandboxChannel;

beforeAll(async () => {
  // An hour between two comments: the second approved one is scheduled, not sent at once.
  ({
    t,
    review: REVIEW,
    channel: ch,
  } = await startReviewDesk({
    minSpacingSeconds: 3600,
    // Half an hour off UTC: a wrong conversion cannot pass by a whole-hour accident.
    timeZone: 'Asia/Kolkata',
    owner: { id: OWNER, first_name: 'Olga' },
    reviewer: { id: REVIEWER, first_name: 'Rob' },
  }));
});

afterAll(() => t?.stop());

async function approveCardOf(post: string) {
  await t.sandbox.postInChannel(ch.channelId, post, OWNER);
  const card = await t.sandbox.waitForBotMessage(REVIEW, { ...WAIT, match: post });
  const id = Number(/Draft #(\d+)/.exec(card.text ?? '')![1]);
  await t.sandbox.pressButton(REVIEWER, REVIEW, card.message_id, { text: '✅ Approve' });
  return { card, id };
}

describe('review card', { timeout: 180_000 }, () => {
  it('says when the comment goes out, in the operator time zone', async () => {
    const first = await approveCardOf('We opened a second shop downtown.');
    await eventually(
      async () => (await t.viewer.get(`${API}/drafts/${first.id}`)).body.draft.status === 'sent',
    );
    const second = await approveCardOf('New helmets in stock at the downtown shop.');
    const draft = (await t.viewer.get(`${API}/drafts/${second.id}`)).body.draft;
    expect(draft.status).toBe('scheduled');
    const kolkata = new Date(Date.parse(draft.dueAt) + 5.5 * 3_600_000);
    const due = kolkata.toISOString().slice(0, 16).replace('T', ' ');
    const edited = await t.sandbox.waitForBotEdit(REVIEW, {
      ...WAIT,
      messageId: second.card.message_id,
      match: 'scheduled for',
    });
    expect(edited.text).toContain(`✅ Approved by Rob, scheduled for ${due} Asia/Kolkata`);
  });
});

describe('time zone setting', () => {
  it('is UTC unless set, and refuses a name that is not a time zone', () => {
    expect(CommentatorConfigSchema.parse({}).timeZone).toBe('UTC');
    expect(CommentatorConfigSchema.parse({ timeZone: 'Europe/Moscow' }).timeZone).toBe('Europe/Moscow');
    expect(CommentatorConfigSchema.safeParse({ timeZone: 'Mars/Olympus' }).success).toBe(false);
  });

  it('writes the time in that zone, across midnight, and names the zone', () => {
    const at = new Date('2026-12-01T21:05:00Z');
    expect(formatInZone(at, 'UTC')).toBe('2026-12-01 21:05 UTC');
    expect(formatInZone(at, 'Europe/Moscow')).toBe('2026-12-02 00:05 Europe/Moscow');
    expect(formatInZone(at, 'America/New_York')).toBe('2026-12-01 16:05 America/New_York');
  });
});
