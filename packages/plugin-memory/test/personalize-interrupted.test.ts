/**
 * A /personalize left half-way keeps the steps already answered, and says so when another
 * command interrupts it; /cancel undoes this run's steps. Through the sandbox, offline provider.
 */
import { Tokens } from '@botloom/core';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import memoryPlugin from '../src/index.js';

const WAIT = { timeoutMs: 30_000 };

let app: TestApp;
const profileRow = async (userId: number) =>
  (
    (await app.app
      .resolver('memory')(Tokens.Database)
      .query('SELECT role, answer_language, answer_length FROM memory_profiles WHERE user_id = $1', {
        bind: [String(userId)],
      })) as [Array<Record<string, string>>, unknown]
  )[0][0];

beforeAll(async () => {
  app = await startTestApp({ plugins: [memoryPlugin()], config: { RATE_LIMIT_PER_MINUTE: 1000 } });
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

describe.concurrent('an interrupted /personalize', { timeout: 120_000 }, () => {
  it('keeps the finished steps and says which, then runs the other command', async () => {
    const ann = app.user('ann_interrupts');
    await ann.send('/personalize');
    const roles = await ann.expectReply(/Which role/, WAIT);
    // Two choices a row, and no empty row after the last pair.
    const rows = roles.reply_markup?.inline_keyboard ?? [];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.length).toBeGreaterThan(0);
    await ann.press('👩‍💻 Coder');
    await ann.expectReply(/In which language/, WAIT);
    await ann.press('English');
    await ann.expectReply(/How long/, WAIT);
    await ann.send('/profile');
    await ann.expectReply(
      'Personalization stopped. I kept what you already chose: role — 👩‍💻 Coder; answer language — English. Everything else is as before; send /personalize to change it.',
      WAIT,
    );
    const profile = await ann.expectReply(/Your agent profile/, WAIT);
    expect(profile.text).toContain('Role: 👩‍💻 Coder');
    expect(profile.text).toContain('Answer language: English');
    expect(profile.text).toContain('Answer length: Normal');
    expect(await profileRow(await ann.id())).toEqual({
      role: 'coder',
      answer_language: 'en',
      answer_length: 'normal',
    });
  });

  it('says plainly that nothing changed when no step was finished', async () => {
    const ben = app.user('ben_interrupts');
    await ben.send('/personalize');
    await ben.expectReply(/Which role/, WAIT);
    await ben.send('/profile');
    await ben.expectReply('Personalization stopped; nothing changed.', WAIT);
    await ben.expectReply(/not personalised me yet/, WAIT);
    expect(await profileRow(await ben.id())).toBeUndefined();
  });

  it('/cancel restores the profile as it was before this run', async () => {
    const cid = app.user('cid_cancels');
    await cid.send('/personalize');
    await cid.expectReply(/Which role/, WAIT);
    await cid.press('👩‍💻 Coder');
    await cid.expectReply(/In which language/, WAIT);
    await cid.press('English');
    await cid.expectReply(/How long/, WAIT);
    await cid.press('Short');
    await cid.expectReply(/Saved/, WAIT);

    await cid.send('/personalize');
    await cid.expectReply(/Which role/, WAIT);
    await cid.press('📈 Product manager');
    await cid.expectReply(/In which language/, WAIT);
    await cid.press('Russian');
    await cid.expectReply(/How long/, WAIT);
    expect((await profileRow(await cid.id()))?.role).toBe('product_manager'); // kept while under way
    await cid.send('/cancel');
    await cid.expectReply('Personalization cancelled; nothing changed.', WAIT);
    expect(await profileRow(await cid.id())).toEqual({
      role: 'coder',
      answer_language: 'en',
      answer_length: 'short',
    });

    // Cancelled on a first run: no profile is left behind.
    const dora = app.user('dora_cancels');
    await dora.send('/personalize');
    await dora.expectReply(/Which role/, WAIT);
    await dora.press('👩‍💻 Coder');
    await dora.expectReply(/In which language/, WAIT);
    await dora.send('/cancel');
    await dora.expectReply('Personalization cancelled; nothing changed.', WAIT);
    expect(await profileRow(await dora.id())).toBeUndefined();
  });

  it('in Russian: the custom instruction typed before the interruption is kept', async () => {
    const olga = app.user('olga_interrupts', { language_code: 'ru' });
    await olga.send('/personalize');
    await olga.expectReply(/Какую роль мне взять/, WAIT);
    await olga.press('✍️ Своя инструкция');
    await olga.expectReply(/Напишите инструкцию/, WAIT);
    await olga.send('Ты мой тренер по бегу');
    await olga.expectReply(/На каком языке/, WAIT);
    await olga.send('/profile');
    await olga.expectReply(
      'Настройка прервана. Я сохранил то, что вы уже выбрали: роль — ✍️ Своя инструкция. Остальное осталось как было; /personalize — изменить.',
      WAIT,
    );
    const profile = await olga.expectReply(/Роль: ✍️ Своя инструкция/, WAIT);
    expect(profile.text).toContain('Инструкция: Ты мой тренер по бегу');
  });
});
