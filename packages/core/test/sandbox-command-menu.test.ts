import { describe, expect, it } from 'vitest';
import { commandsFor } from '../src/sandbox/command-menu.js';

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
