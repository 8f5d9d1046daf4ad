import { Api } from 'grammy';
import { describe, expect, it } from 'vitest';
import { commandsFor } from '../src/sandbox/command-menu.js';
import { createBotApiEmulator, SandboxClient } from '../src/sandbox/index.js';

const list = (name: string) => [{ command: name, description: name }];
const key = (scope: object, language = '') => `${JSON.stringify(scope)}|${language}`;

// Stored the way the emulator's setMyCommands stores them.
const stored = new Map([
  [key({ type: 'default' }), list('default')],
  [key({ type: 'default' }, 'ru'), list('default_ru')],
  [key({ type: 'all_private_chats' }), list('private')],
  [key({ chat_id: 42, type: 'chat' }), list('chat42')],
  [key({ type: 'all_group_chats' }), list('groups')],
  [key({ type: 'all_chat_administrators' }), list('admins')],
  [key({ type: 'chat_administrators', chat_id: -100 }), list('admins_100')],
  [key({ type: 'chat_member', chat_id: -100, user_id: 7 }), list('member7')],
]);

const names = (viewer: Parameters<typeof commandsFor>[1], from = stored) =>
  commandsFor(from, viewer).map((c) => c.command);

describe('the "/" menu follows Telegram\'s scope order', () => {
  it('private chats: this chat, then all private chats, then default; language first', () => {
    const base = { chatType: 'private' as const, isAdmin: false };
    expect(names({ ...base, chatId: 42, userId: 42 })).toEqual(['chat42']);
    expect(names({ ...base, chatId: 5, userId: 5 })).toEqual(['private']);
    const onlyDefaults = new Map([...stored].filter(([k]) => k.includes('default')));
    expect(names({ ...base, chatId: 5, userId: 5, languageCode: 'ru' }, onlyDefaults)).toEqual([
      'default_ru',
    ]);
    expect(names({ ...base, chatId: 5, userId: 5, languageCode: 'de' }, onlyDefaults)).toEqual(['default']);
    expect(names({ ...base, chatId: 5, userId: 5 }, new Map())).toEqual([]);
  });

  it('groups: the member, then administrators of the chat, then all administrators, then all groups', () => {
    const group = { chatType: 'supergroup' as const, chatId: -100 };
    expect(names({ ...group, userId: 7, isAdmin: false })).toEqual(['member7']);
    expect(names({ ...group, userId: 8, isAdmin: true })).toEqual(['admins_100']);
    expect(names({ ...group, chatId: -200, userId: 8, isAdmin: true })).toEqual(['admins']);
    expect(names({ ...group, userId: 8, isAdmin: false })).toEqual(['groups']);
  });
});

describe('the control API for the "/" menu and unread counts', () => {
  it('answers the menu per person and chat, and counts unread messages until marked read', async () => {
    const emulator = createBotApiEmulator();
    const url = await emulator.listen(0);
    try {
      const bot = new Api(emulator.token, { apiRoot: url });
      const sandbox = new SandboxClient(url);
      await bot.setMyCommands([{ command: 'start', description: 'Start' }]);
      await bot.setMyCommands([{ command: 'start', description: 'Начать' }], { language_code: 'ru' });
      const olga = await sandbox.createUser({ first_name: 'Olga', language_code: 'ru' });
      const tom = await sandbox.createUser({ first_name: 'Tom' });
      expect(await sandbox.commandMenu(olga.id)).toEqual([{ command: 'start', description: 'Начать' }]);
      expect(await sandbox.commandMenu(tom.id)).toEqual([{ command: 'start', description: 'Start' }]);

      const group = await sandbox.createChat({
        type: 'supergroup',
        title: 'G',
        memberIds: [olga.id, tom.id],
      });
      await sandbox.sendMessage(tom.id, 'hi all', { chatId: group.chat.id });
      await bot.sendMessage(group.chat.id, 'hello from the bot');
      expect((await sandbox.unread(olga.id))[group.chat.id]).toMatchObject({ total: 2, threads: { 0: 2 } });
      // Tom's own message is not unread for him.
      expect((await sandbox.unread(tom.id))[group.chat.id]).toMatchObject({ total: 1 });
      await sandbox.markRead(olga.id, group.chat.id);
      expect((await sandbox.unread(olga.id))[group.chat.id]).toEqual({ total: 0, threads: {} });
      await bot.sendMessage(group.chat.id, 'one more');
      expect((await sandbox.unread(olga.id))[group.chat.id]).toEqual({ total: 1, threads: { 0: 1 } });

      await expect(sandbox.request('GET', '/commands', undefined, { userId: 'x' })).rejects.toMatchObject({
        status: 400,
      });
    } finally {
      await emulator.close();
    }
  });
});
