import { createBotApiEmulator, generateBotToken, SandboxClient, SandboxGroups } from '@botloom/core/sandbox';
import { Api } from 'grammy';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrammyAssistantBots } from '../src/education/telegram-adapter.js';

describe('assistant bots over the Bot API', () => {
  const emulator = createBotApiEmulator();
  let url: string;
  let groups: SandboxGroups;

  beforeAll(async () => {
    url = await emulator.listen(0);
    groups = new SandboxGroups(new SandboxClient(url));
  });
  afterAll(() => emulator.close());

  it('a token Telegram did not accept yet is tried again after 5 minutes, not on every message', async () => {
    const token = generateBotToken();
    let now = 1_000_000;
    const bots = new GrammyAssistantBots(
      [token],
      (t) => new Api(t, { apiRoot: url }),
      pino({ level: 'silent' }),
      () => now,
    );
    expect(await bots.identities()).toEqual([]);

    await groups.addBot({ token, first_name: 'Course Assistant (bot)', username: 'late_assistant_bot' });
    now += 4 * 60_000;
    expect(await bots.identities()).toEqual([]);
    now += 2 * 60_000;
    expect(await bots.identities()).toEqual([
      expect.objectContaining({ username: 'late_assistant_bot', firstName: 'Course Assistant (bot)' }),
    ]);
  });

  it('sending as an assistant that is not in the group fails, so the caller can fall back', async () => {
    const token = generateBotToken();
    const { bot } = await groups.addBot({ token, first_name: 'Helper (bot)', username: 'helper_two_bot' });
    const owner = emulator.world.createUser({ first_name: 'Owner' });
    const chat = emulator.world.createChat({ type: 'supergroup', title: 'G', memberIds: [owner.id] });
    const bots = new GrammyAssistantBots(
      [token],
      (t) => new Api(t, { apiRoot: url }),
      pino({ level: 'silent' }),
    );
    await expect(bots.send(0, chat.chat.id, '🤖 hi')).rejects.toThrow(/not a member/);
    await groups.addBotToChat(chat.chat.id, bot.id, { byUserId: owner.id });
    expect(await bots.send(0, chat.chat.id, '🤖 hi')).toBeGreaterThan(0);
  });
});
