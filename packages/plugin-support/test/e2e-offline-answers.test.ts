/**
 * The reference bot's support desk as `npm start` runs it with no model configured: the
 * reference knowledge, core's local embeddings and offline provider, through the sandbox.
 * Issue 12 §1-2: answers quote only knowledge (never the customer's earlier questions), small
 * talk gets a friendly reply in the customer's language, availability goes to a manager.
 */
import { fileURLToPath } from 'node:url';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supportPlugin from '../src/index.js';

const KNOWLEDGE_DIR = fileURLToPath(new URL('../../../apps/reference/knowledge/', import.meta.url));
const WAIT = { timeoutMs: 30_000 };
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    plugins: [supportPlugin()],
    config: {
      RATE_LIMIT_PER_MINUTE: 1000,
      plugins: { support: { knowledgeDir: KNOWLEDGE_DIR, knowledgeRescanSeconds: 0 } },
    },
  });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

type Customer = ReturnType<TestApp['user']>;

/** Sends a question and returns the bot's next reply. */
async function ask(customer: Customer, question: string, match: RegExp | string) {
  await customer.send(question);
  return (await customer.expectReply(match, WAIT)).text ?? '';
}

function buttonsOf(reply: { reply_markup?: { inline_keyboard?: Array<Array<{ text: string }>> } }) {
  return (reply.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
}

describe('support offline, over the reference knowledge', { timeout: 240_000 }, () => {
  it('never quotes the customer’s earlier questions (en)', async () => {
    expect(t.openai).toBeUndefined();
    const ann = t.user('ann', { first_name: 'Ann', language_code: 'en' });
    const prices = await ask(ann, 'How much does it cost to rent a car?', /euros/);
    expect(prices).toMatch(/35 euros.*50 euros.*80 euros/s);
    expect(prices).not.toContain('How much does it cost to rent a car?');

    const airport = await ask(ann, 'How much is airport delivery?', /20 euros/);
    expect(airport).toContain('Airport delivery costs 20 euros each way');
    expect(airport).not.toContain('How much does it cost');
    expect(airport).not.toContain('?');

    await ask(ann, 'Can a penguin drive your cars on the moon?', /./);
    const abroad = await ask(ann, 'Can I drive to Montenegro?', /Montenegro/);
    expect(abroad).not.toContain('penguin');
    expect(abroad).not.toContain('?');
  });

  it('never quotes the customer’s earlier questions (ru)', async () => {
    const boris = t.user('boris', { first_name: 'Борис', language_code: 'ru' });
    const prices = await ask(boris, 'Сколько стоит аренда машины?', /евро/);
    expect(prices).toMatch(/35 евро.*50 евро.*80 евро/s);
    const suv = await ask(boris, 'Сколько стоит внедорожник?', /80 евро/);
    expect(suv).toContain('от 80 евро в сутки');
    expect(suv).not.toContain('Сколько стоит аренда машины?');
    expect(suv).not.toContain('?');
  });

  it('answers the covered questions the issue saw declined', async () => {
    const cara = t.user('cara', { first_name: 'Cara', language_code: 'en' });
    expect(await ask(cara, 'What are your prices for an SUV?', /80 euros/)).toContain('SUVs');
    expect(await ask(cara, 'What is the minimum age to rent?', /21/)).toContain('at least 21 years old');
    const dima = t.user('dima', { first_name: 'Дима', language_code: 'ru' });
    expect(await ask(dima, 'Со скольки лет можно арендовать?', /21/)).toContain('не меньше 21 года');
    expect(await ask(dima, 'Есть ли ограничение пробега?', /ограничен/)).toContain('Пробег не ограничен');
  });

  it('small talk gets a short friendly reply in the customer’s language, without a manager offer', async () => {
    const eva = t.user('eva', { first_name: 'Eva', language_code: 'en' });
    await eva.send('hello');
    const hello = await eva.expectReply(/^Hello!/, WAIT);
    expect(hello.text).not.toMatch(/manager/);
    expect(buttonsOf(hello)).toEqual([]);
    await eva.send('thanks');
    expect((await eva.expectReply(/^You're welcome!/, WAIT)).text).not.toMatch(/manager/);
    // Written in Russian from an English Telegram client: answered in Russian.
    await eva.send('Привет!');
    await eva.expectReply(/^Здравствуйте!/, WAIT);
    const fedor = t.user('fedor', { first_name: 'Фёдор', language_code: 'ru' });
    await fedor.send('Спасибо');
    const thanks = await fedor.expectReply(/^Пожалуйста!/, WAIT);
    expect(thanks.text).not.toMatch(/менеджер/);
  });

  it('availability questions get "a manager will check availability", with the button', async () => {
    const gil = t.user('gil', { first_name: 'Gil', language_code: 'en' });
    await gil.send('Is a Toyota RAV4 available on May 12?');
    const reply = await gil.expectReply(/A manager will check availability/, WAIT);
    expect(buttonsOf(reply)).toEqual(['🙋 Call a manager']);
    const galya = t.user('galya', { first_name: 'Галя', language_code: 'ru' });
    await galya.send('Свободна ли Toyota RAV4 на выходные?');
    await galya.expectReply(/проверит менеджер/, WAIT);
    // What the knowledge does not cover is still declined honestly.
    await gil.send('Do you rent yachts?');
    await gil.expectReply("I can't answer that, shall I call a manager?", WAIT);
  });
});
