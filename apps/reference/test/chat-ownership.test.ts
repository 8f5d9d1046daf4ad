/**
 * The reference bot's plugins (memory, segmentation, support, configured as in
 * botloom.config.ts) in one app, driven through the sandbox as a Telegram user would: who
 * answers each message, /start and /help, deep links, and /delete_my_data across plugins.
 * Offline LLM provider, real PostgreSQL, the Bot API emulator.
 */
import { Tokens } from '@botloom/core';
import type { SandboxUser, TestApp } from '@botloom/core/testing';
import { startTestApp } from '@botloom/core/testing';
import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import botloomConfig from '../botloom.config.js';
import { prepareSandboxDesk, prepareSandboxDeskData, SANDBOX_DESK } from '../src/sandbox-desk.js';

const WAIT = { timeoutMs: 45_000 };
const HELP_REPLY = /^(Available commands|Доступные команды)/;

let t: TestApp;
/** The sandbox desk's manager group, as the emulator numbered it. */
let groupId: number;

beforeAll(async () => {
  t = await startTestApp({
    plugins: botloomConfig.plugins,
    config: { RATE_LIMIT_PER_MINUTE: 1000 },
  });
  groupId = (await prepareSandboxDesk(t.emulator.url)).managerGroupChatId;
  // The group was created after boot: an admin re-checks it, as the playground's start does.
  expect((await t.admin.post('/admin/api/support/status/check')).body.managerGroup.state).toBe('ok');
  await prepareSandboxDeskData(t.app);
}, 180_000);

afterAll(async () => {
  await t?.stop();
});

async function query<R = Record<string, unknown>>(sql: string, bind: unknown[]): Promise<R[]> {
  return (await t.app.resolver('core')(Tokens.Database).query(sql, { bind }))[0] as R[];
}

/**
 * Sends one message and returns every bot message it caused. A chat's updates are handled one
 * at a time, so everything the bot sent between this message and the answer to a following
 * /help belongs to this message.
 */
async function turn(user: SandboxUser, text: string): Promise<Message[]> {
  // Message ids follow creation: the sentinel's reply comes after every reply to `text`.
  const sent = await user.send(text);
  await user.send('/help');
  const sentinel = await user.expectReply(HELP_REPLY, WAIT);
  const transcript = await user.transcript();
  return transcript.filter(
    (m) => m.from?.is_bot && m.message_id > sent.message_id && m.message_id < sentinel.message_id,
  );
}

/** Who answered: support's answers carry its ticket buttons, memory's a session or offline note. */
function answeredBy(messages: Message[]): string[] {
  return messages.map((m) => {
    const data = (m.reply_markup?.inline_keyboard ?? [])
      .flat()
      .map((b) => ('callback_data' in b ? b.callback_data : ''));
    if (data.some((d) => d?.startsWith('support:'))) return 'support';
    if (/offline mode: answered without a language model|без языковой модели/.test(m.text ?? ''))
      return 'memory';
    if (
      /automated advisor|Have you worked with data|How many hours a week|Understood, I have stopped/.test(
        m.text ?? '',
      )
    )
      return 'sales';
    return `other: ${m.text}`;
  });
}

describe('one bot, three plugins: who answers', { timeout: 240_000 }, () => {
  it('/start introduces every plugin and offers the menu; free text goes to the support desk', async () => {
    const ann = t.user('ann', { first_name: 'Ann', language_code: 'en' });
    const [start, ...more] = await turn(ann, '/start');
    expect(more).toEqual([]);
    expect(start!.text).toContain('Hello, Ann!');
    expect(start!.text).toContain('I am your personal AI agent');
    expect(start!.text).toContain('📊 Customer segmentation');
    expect(start!.text).toContain('💬 Support desk');
    const buttons = (start!.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
    expect(buttons).toEqual(['🧠 Personal AI agent', '💬 Support desk', '🎓 Course advisor']);
    expect(start!.text).toContain('🎓 Course advisor: I tell you about our online course');
    expect(start!.text!.split('\n').filter((line) => line.startsWith('/')).length).toBe(0); // no command dump

    expect(answeredBy(await turn(ann, 'How big is the deposit?'))).toEqual(['support']);

    const ru = t.user('boris', { first_name: 'Борис', language_code: 'ru' });
    const [startRu] = await turn(ru, '/start');
    expect(startRu!.text).toContain('Я ваш персональный AI-агент');
    expect(startRu!.text).toContain('📊 Сегментация клиентов');
    expect(startRu!.text).toContain('💬 Поддержка');
  });

  it('inside a memory session the agent answers; /support moves the user to the support desk', async () => {
    const cleo = t.user('cleo', { first_name: 'Cleo', language_code: 'en' });
    expect((await turn(cleo, '/start_session')).map((m) => m.text)).toEqual([
      '🚀 New session started. Write your first message.',
    ]);
    expect(answeredBy(await turn(cleo, 'My name is Cleo and I live in Porto.'))).toEqual(['memory']);
    await cleo.send('/help');
    const help = await cleo.expectReply(HELP_REPLY, WAIT);
    expect(help.text).toContain('Your messages now go to: 🧠 Personal AI agent.');

    const support = await turn(cleo, '/support');
    expect(support).toHaveLength(1);
    expect(support[0]!.text).toContain('support assistant');
    expect(answeredBy(await turn(cleo, 'How big is the deposit?'))).toEqual(['support']);
    // Back through the /start menu: the agent's session is still open.
    await turn(cleo, '/start');
    await cleo.press('🧠 Personal AI agent');
    await cleo.expectReply(/You are now talking to: 🧠 Personal AI agent/, WAIT);
    expect(answeredBy(await turn(cleo, 'What is my name?'))).toEqual(['memory']);
    // After /end_session, free text goes to the default owner again.
    await turn(cleo, '/end_session');
    expect(answeredBy(await turn(cleo, 'Can I drive to Croatia?'))).toEqual(['support']);
  });

  it('/start sales-course hands the chat to the course advisor until /stop; no message is answered twice', async () => {
    const gil = t.user('gil', { first_name: 'Gil', language_code: 'en' });
    const opening = await turn(gil, '/start sales-course');
    expect(answeredBy(opening)).toEqual(['sales']);
    expect(answeredBy(await turn(gil, 'Hello!'))).toEqual(['sales']);
    await gil.send('/help');
    expect((await gil.expectReply(HELP_REPLY, WAIT)).text).toContain(
      'Your messages now go to: 🎓 Course advisor.',
    );
    // A memory session started meanwhile takes the chat; the advisor's conversation waits.
    await turn(gil, '/start_session');
    expect(answeredBy(await turn(gil, 'What is my name?'))).toEqual(['memory']);
    await turn(gil, '/end_session');
    expect(answeredBy(await turn(gil, 'How big is the deposit?'))).toEqual(['support']);
    // The menu hands it back to the advisor, where the conversation goes on.
    await turn(gil, '/start');
    await gil.press('🎓 Course advisor');
    await gil.expectReply(/You are now talking to: 🎓 Course advisor/, WAIT);
    expect(answeredBy(await turn(gil, 'a little'))).toEqual(['sales']);
    expect(answeredBy(await turn(gil, '/stop'))).toEqual(['sales']);
    expect(answeredBy(await turn(gil, 'Can I drive to Croatia?'))).toEqual(['support']);
  });

  it('a deep link /start support routes the next free text to the support desk', async () => {
    const dan = t.user('dan', { first_name: 'Dan', language_code: 'en' });
    await turn(dan, '/start_session');
    const link = await turn(dan, '/start support');
    expect(link.map((m) => m.text)).toEqual([
      'Hi! I am the support assistant. Ask me anything about our services; if I cannot help, a manager will.',
    ]);
    expect(answeredBy(await turn(dan, 'How big is the deposit?'))).toEqual(['support']);
  });

  it('answers every message exactly once: commands of every plugin, unknown commands, /cancel', async () => {
    const eve = t.user('eve', { first_name: 'Eve', language_code: 'en' });
    const steps = [
      '/start',
      'hello there',
      '/segments',
      'how much is an SUV?',
      '/start_session',
      'I like green tea',
      '/memories',
      'and coffee too',
      '/support',
      'what are your office hours?',
      '/language',
    ];
    for (const text of steps) expect(await turn(eve, text), text).toHaveLength(1);
    expect((await turn(eve, '/foo')).map((m) => m.text)).toEqual([
      'I do not know the command /foo. Send /help for the list of commands.',
    ]);
    expect((await turn(eve, '/cancel')).map((m) => m.text)).toEqual(['Nothing to cancel.']);
    const ruUser = t.user('fedor', { first_name: 'Фёдор', language_code: 'ru' });
    expect((await turn(ruUser, '/foo')).map((m) => m.text)).toEqual([
      'Я не знаю команду /foo. Список команд: /help.',
    ]);
    expect((await turn(ruUser, '/cancel')).map((m) => m.text)).toEqual(['Отменять нечего.']);
  });

  it('/help shows manager tools to the support admin and /close in the manager group', async () => {
    await t.sandbox.sendMessage(SANDBOX_DESK.manager.id, '/help');
    const own = await t.sandbox.waitForBotMessage(SANDBOX_DESK.manager.id, { match: HELP_REPLY, ...WAIT });
    expect(own.text).toContain('/managers — List support managers');
    expect(own.text).toContain('/addmanager — Add a support manager');
    expect(own.text).not.toContain('/close');
    await t.sandbox.sendMessage(SANDBOX_DESK.manager.id, '/help', { chatId: groupId });
    const group = await t.sandbox.waitForBotMessage(groupId, {
      match: HELP_REPLY,
      ...WAIT,
    });
    expect(group.text).toContain('/close — Close this ticket');
    expect(group.text).not.toContain('/managers');

    const guest = t.user('gina', { first_name: 'Gina', language_code: 'en' });
    await guest.send('/help');
    const help = await guest.expectReply(HELP_REPLY, WAIT);
    expect(help.text).not.toContain('/managers');
    expect(help.text).toContain('Your messages now go to: 💬 Support desk.');
  });

  it('/delete_my_data says what every plugin erases and erases it in memory and support', async () => {
    const hal = t.user('hal', { first_name: 'Hal', language_code: 'en' });
    const halId = await hal.id();
    await turn(hal, 'How big is the deposit?');
    await hal.press('🙋 Call a manager');
    await hal.expectReply(/called a manager/, WAIT);
    const topicsOf = async () =>
      (await t.sandbox.getChat(groupId)).topics.filter((x) => x.name.endsWith(' Hal'));
    expect(await topicsOf()).toHaveLength(1);
    await turn(hal, '/start_session');
    await turn(hal, 'I have a cat named Tom.');
    expect((await query('SELECT id FROM support_tickets WHERE customer_id = $1', [halId])).length).toBe(1);
    expect((await query('SELECT id FROM memory_sessions WHERE user_id = $1', [String(halId)])).length).toBe(
      1,
    );

    const [confirm] = await turn(hal, '/delete_my_data');
    expect(confirm!.text).toContain('Delete ALL your data');
    expect(confirm!.text).toContain(
      '• Personal agent: your profile, sessions, messages, memories and token usage',
    );
    expect(confirm!.text).toContain('• Support desk: your tickets and every message in them');
    // Each plugin is named as the /start menu names it, and no line ends differently.
    expect(confirm!.text).toContain(
      '• Course advisor: your conversations with it, your questionnaire answers and your progress through them\n',
    );
    await hal.press('Yes, delete everything');
    await hal.expectEdit(/All your data has been deleted/, WAIT);

    expect(await query('SELECT id FROM support_tickets WHERE customer_id = $1', [halId])).toEqual([]);
    expect(await query('SELECT id FROM memory_sessions WHERE user_id = $1', [String(halId)])).toEqual([]);
    expect(await query('SELECT id FROM memory_messages WHERE user_id = $1', [String(halId)])).toEqual([]);
    expect(await topicsOf()).toEqual([]); // the copies of their messages in the manager group too
    // The chat starts over: free text goes to the default owner, the support desk.
    expect(answeredBy(await turn(hal, 'How big is the deposit?'))).toEqual(['support']);
  });
});
