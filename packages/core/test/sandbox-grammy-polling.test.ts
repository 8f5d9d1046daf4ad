import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotApiEmulator, createBotApiEmulator, SandboxClient } from '../src/sandbox/index.js';
import { createDemoBot } from './support/demo-bot.js';

describe('grammY bot against the emulator by long polling', () => {
  let emulator: BotApiEmulator;
  let client: SandboxClient;
  let bot: ReturnType<typeof createDemoBot>;
  let polling: Promise<void>;

  beforeAll(async () => {
    emulator = createBotApiEmulator();
    const url = await emulator.listen(0);
    client = new SandboxClient(url);
    bot = createDemoBot(emulator.token, url);
    await bot.init();
    polling = bot.start({ timeout: 2, drop_pending_updates: true });
  });

  afterAll(async () => {
    await bot.stop();
    await polling;
    await emulator.close();
  });

  it('answers getMe with the bot from the token', async () => {
    const me = await bot.api.getMe();
    expect(me.id).toBe(Number(emulator.token.split(':')[0]));
    expect(me.is_bot).toBe(true);
    expect(bot.botInfo.username).toBe('sandbox_bot');
  });

  it('runs /start, a button, a conversation and an edit', async () => {
    const alice = client.user('alice');
    const sent = await alice.send('/start');
    expect(sent.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);

    const hello = await alice.expectReply(/Choose/);
    expect(hello.text).toBe('Hi! Choose an action:');
    expect(hello.entities).toEqual([{ type: 'bold', offset: 4, length: 6 }]);
    expect(hello.reply_markup?.inline_keyboard[0].map((b) => b.text)).toEqual(['Sign up', 'Count']);

    const pressed = await alice.press('Sign up');
    expect('callbackQueryId' in pressed && pressed.answer).toEqual({});
    await alice.expectReply('What is your name?');
    await alice.send('Alice');
    await alice.expectReply(/How old are you, Alice\?/);
    await alice.send('33');
    const welcome = await alice.expectReply(/Welcome Alice, age 33!/);

    const confirm = await alice.press('Confirm');
    expect('answer' in confirm && confirm.answer).toEqual({ text: 'Confirmed' });
    const edited = await alice.expectEdit(/Signed up/);
    expect(edited.message_id).toBe(welcome.message_id);
    expect(edited.reply_markup).toBeUndefined();
    expect(edited.edit_date).toBeTypeOf('number');
  });

  it('keeps a session per chat', async () => {
    const bob = client.user('bobby');
    await bob.send('one');
    await bob.expectReply('Echo: one');
    await bob.send('/count');
    await bob.expectReply('You sent 2 messages');
    const count = await bob.press('Count').catch(() => undefined);
    expect(count).toBeUndefined(); // no /start keyboard in Bob's chat yet
    await bob.send('/start');
    await bob.expectReply(/Choose/);
    const answer = await bob.press('Count');
    expect('answer' in answer && answer.answer).toEqual({ text: 'Counted 3' });
  });

  it('delivers each update once and confirms it by offset', async () => {
    const carol = client.user('carol');
    for (const text of ['a', 'b', 'c']) await carol.send(text);
    // The reply to the last message: the bot handles updates in order.
    await carol.expectReply('Echo: c');
    const transcript = await carol.transcript();
    expect(transcript.filter((m) => m.from?.is_bot).map((m) => m.text)).toEqual([
      'Echo: a',
      'Echo: b',
      'Echo: c',
    ]);
    expect(transcript.filter((m) => !m.from?.is_bot).map((m) => m.text)).toEqual(['a', 'b', 'c']);
    expect(emulator.world.updates.pendingCount).toBe(0);
  });
});
