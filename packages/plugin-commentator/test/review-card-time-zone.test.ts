/**
 * A review card of an approved comment that waits for its turn says when it goes out, with the
 * time zone (UTC): reviewers read the card in their own zones.
 */
import type { TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  it('says the scheduled time is UTC', async () => {
    const first = await approveCardOf('We opened a second shop downtown.');
    await eventually(
      async () => (await t.viewer.get(`${API}/drafts/${first.id}`)).body.draft.status === 'sent',
    );
    const second = await approveCardOf('New helmets in stock at the downtown shop.');
    const draft = (await t.viewer.get(`${API}/drafts/${second.id}`)).body.draft;
    expect(draft.status).toBe('scheduled');
    const due = new Date(draft.dueAt).toISOString().slice(0, 16).replace('T', ' ');
    const edited = await t.sandbox.waitForBotEdit(REVIEW, {
      ...WAIT,
      messageId: second.card.message_id,
      match: 'scheduled for',
    });
    expect(edited.text).toContain(`✅ Approved by Rob, scheduled for ${due} UTC`);
  });
});
