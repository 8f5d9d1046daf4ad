import type { TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type SandboxChannel } from './support/helpers.js';
import { startReviewDesk } from './support/review-desk.js';

const OWNER = 630_001;
const REVIEWER = 630_002;
const INTERN = 630_003;
const API = '/admin/api/commentator';
const WAIT = { timeoutMs: 45_000 };

let t: TestApp;
let REVIEW: number;
let ch: SandboxChannel;

beforeAll(async () => {
  ({
    t,
    review: REVIEW,
    channel: ch,
  } = await startReviewDesk({
    minSpacingSeconds: 0,
    owner: { id: OWNER, first_name: 'Olga' },
    reviewer: { id: REVIEWER, first_name: 'Rob' },
    members: [{ id: INTERN, first_name: 'Ivan' }],
  }));
});

afterAll(() => t?.stop());

describe('review chat', { timeout: 180_000 }, () => {
  it('a reviewer edits by replying and approves with the button; the comment appears under the post', async () => {
    await t.sandbox.postInChannel(ch.channelId, 'We opened a second shop downtown.', OWNER);
    const card = await t.sandbox.waitForBotMessage(REVIEW, { ...WAIT, match: 'Draft #' });
    expect(card.text).toContain('We opened a second shop downtown.');
    expect(card.text).toContain('— Acme');
    expect(card.text).toContain('offline draft');
    // Offline, a post that repeats no word gets the plain opener, not two arbitrary words.
    expect(card.text).toContain('Comment:\nThanks for the post.\n');
    const buttons = (card.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
    expect(buttons).toEqual(['✅ Approve', '✏️ Edit', '❌ Reject']);

    // Someone who is not a reviewer cannot decide.
    const refused = await t.sandbox.pressButton(INTERN, REVIEW, card.message_id, { text: '✅ Approve' });
    expect(refused.answer?.text).toMatch(/Only the operator's reviewers/);
    const id = Number(/Draft #(\d+)/.exec(card.text ?? '')![1]);
    expect((await t.viewer.get(`${API}/drafts/${id}`)).body.draft.status).toBe('pending');

    const hint = await t.sandbox.pressButton(REVIEWER, REVIEW, card.message_id, { text: '✏️ Edit' });
    expect(hint.answer?.text).toMatch(/Reply to the draft message/);
    await t.sandbox.sendMessage(REVIEWER, 'Congratulations on the new shop, see you there!', {
      chatId: REVIEW,
      replyToMessageId: card.message_id,
    });
    await t.sandbox.waitForBotMessage(REVIEW, { ...WAIT, match: `Draft #${id} updated` });
    const edited = (await t.viewer.get(`${API}/drafts/${id}`)).body.draft;
    expect(edited.text).toBe('Congratulations on the new shop, see you there!\n\n— Acme');
    expect(edited.edited).toBe(true);

    const pressed = await t.sandbox.pressButton(REVIEWER, REVIEW, card.message_id, { text: '✅ Approve' });
    expect(pressed.answer?.text).toBe('Done.');
    const sent = await eventually(async () => {
      const d = (await t.viewer.get(`${API}/drafts/${id}`)).body.draft;
      return d.status === 'sent' ? d : null;
    });
    expect(sent.decidedBy).toBe(`telegram:${REVIEWER} (Rob)`);
    const ours = (await t.sandbox.transcript(ch.groupId)).filter((m) => m.from?.is_bot);
    expect(ours.map((m) => m.text)).toEqual(['Congratulations on the new shop, see you there!\n\n— Acme']);

    // The card shows the outcome and has no buttons any more.
    await eventually(async () => {
      const msg = (await t.sandbox.transcript(REVIEW)).find((m) => m.message_id === card.message_id);
      return (
        /📨 Sent|Approved by/.test(msg?.text ?? '') && !(msg?.reply_markup?.inline_keyboard ?? []).length
      );
    });
  });

  it('Reject in the review chat: nothing is sent, a second press says it was decided', async () => {
    await t.sandbox.postInChannel(
      ch.channelId,
      'Closed on Monday for inventory. The inventory takes a day.',
      OWNER,
    );
    const card = await t.sandbox.waitForBotMessage(REVIEW, { ...WAIT, match: 'Closed on Monday' });
    // A word the post repeats is its offline topic.
    expect(card.text).toContain('Thanks for the post about inventory.');
    const id = Number(/Draft #(\d+)/.exec(card.text ?? '')![1]);
    const pressed = await t.sandbox.pressButton(REVIEWER, REVIEW, card.message_id, { text: '❌ Reject' });
    expect(pressed.answer?.text).toBe('Done.');
    expect((await t.viewer.get(`${API}/drafts/${id}`)).body.draft.status).toBe('rejected');
    const edited = await t.sandbox.waitForBotEdit(REVIEW, {
      ...WAIT,
      messageId: card.message_id,
      match: 'Rejected by',
    });
    // Reviewers see the reviewer's name, not the stored actor (`telegram:<id> (<name>)`).
    expect(edited.text).toContain('❌ Rejected by Rob');
    expect(edited.text).not.toContain('telegram:');
    expect(edited.reply_markup?.inline_keyboard ?? []).toEqual([]);
    const ours = (await t.sandbox.transcript(ch.groupId)).filter((m) => m.from?.is_bot);
    expect(ours).toHaveLength(1);
  });

  it('a draft approved in the panel updates its card in the review chat', async () => {
    await t.sandbox.postInChannel(ch.channelId, 'New helmets in stock.', OWNER);
    const card = await t.sandbox.waitForBotMessage(REVIEW, { ...WAIT, match: 'New helmets' });
    const id = Number(/Draft #(\d+)/.exec(card.text ?? '')![1]);
    expect((await t.admin.post(`${API}/decisions`, { draftId: id, decision: 'approve' })).status).toBe(200);
    await eventually(async () => {
      const msg = (await t.sandbox.transcript(REVIEW)).find((m) => m.message_id === card.message_id);
      return /Approved by test-admin \(admin panel\)|📨 Sent/.test(msg?.text ?? '');
    });
    const late = await t.sandbox
      .pressButton(REVIEWER, REVIEW, card.message_id, { text: '✅ Approve' })
      .catch((e) => e);
    expect(String(late.message ?? late.answer?.text)).toMatch(/no inline button|already decided/);
  });
});
