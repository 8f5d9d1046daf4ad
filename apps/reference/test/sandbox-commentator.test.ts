/**
 * The reference app's commentator demo, as a person plays it in the playground: the Guest posts
 * in "Acme news", the draft appears in "Comment review" (and the panel), the Guest approves it
 * and it appears under the post in "Acme news chat".
 */
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import botloomConfig from '../botloom.config.js';
import {
  prepareSandboxCommentator,
  prepareSandboxCommentatorData,
  SANDBOX_COMMENTATOR,
  sandboxCommentatorSettings,
} from '../src/sandbox-commentator.js';
import { prepareSandboxDesk } from '../src/sandbox-desk.js';

const WAIT = { timeoutMs: 60_000 };
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ plugins: botloomConfig.plugins });
  await prepareSandboxDesk(t.emulator.url);
  await prepareSandboxCommentator(t.emulator.url);
  expect(await prepareSandboxCommentatorData(t.app)).toBe(true);
  expect(await prepareSandboxCommentatorData(t.app)).toBe(false);
});

afterAll(() => t?.stop());

describe('the commentator demo in the sandbox', { timeout: 240_000 }, () => {
  it('names the review chat only in sandbox mode', () => {
    expect(sandboxCommentatorSettings(true)).toEqual({ brandName: 'Acme', reviewChatId: -1_002_000_000_004 });
    expect(sandboxCommentatorSettings(false)).toEqual({});
  });

  it('a channel post becomes an approved comment under the post', async () => {
    const guest = (await t.sandbox.listUsers()).find((u) => u.first_name === 'Guest')!;
    await t.sandbox.postInChannel(
      SANDBOX_COMMENTATOR.channelChatId,
      'We open a new bike shop on Friday!',
      guest.id,
    );
    const card = await t.sandbox.waitForBotMessage(SANDBOX_COMMENTATOR.reviewChatId, {
      ...WAIT,
      match: 'Draft #',
    });
    expect(card.text).toContain('We open a new bike shop on Friday!');
    const pending = await t.admin.get('/admin/api/commentator/drafts?status=pending');
    expect(pending.body.items).toHaveLength(1);

    const pressed = await t.sandbox.pressButton(guest.id, SANDBOX_COMMENTATOR.reviewChatId, card.message_id, {
      text: '✅ Approve',
    });
    expect(pressed.answer?.text).toBe('Done.');
    const comment = await t.sandbox.waitForBotMessage(SANDBOX_COMMENTATOR.discussionChatId, WAIT);
    expect(comment.text).toMatch(/— Acme$/);
    expect(
      (comment.reply_to_message as { is_automatic_forward?: boolean } | undefined)?.is_automatic_forward,
    ).toBe(true);
  });
});
