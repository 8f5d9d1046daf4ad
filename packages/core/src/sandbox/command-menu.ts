import type { BotCommand } from 'grammy/types';

/** Who opens the "/" menu, and where. */
export interface CommandMenuViewer {
  chatId: number;
  chatType: 'private' | 'group' | 'supergroup' | 'channel';
  userId: number;
  languageCode?: string;
  /** An administrator (or the creator) of the group. */
  isAdmin: boolean;
}

interface StoredScope {
  type?: string;
  chat_id?: number | string;
  user_id?: number | string;
}

/**
 * The commands Telegram shows a person, from what the bot set with setMyCommands (stored by
 * `scope|language` key): the narrowest scope that has commands wins, and within a scope the
 * person's language before the language-less list
 * (https://core.telegram.org/bots/api#determining-list-of-commands).
 */
export function commandsFor(
  stored: ReadonlyMap<string, BotCommand[]>,
  viewer: CommandMenuViewer,
): BotCommand[] {
  const entries = [...stored.entries()].map(([key, commands]) => {
    const separator = key.lastIndexOf('|');
    let scope: StoredScope = {};
    try {
      scope = JSON.parse(key.slice(0, separator)) as StoredScope;
    } catch {
      // A key the emulator did not write: never matches.
    }
    return { scope, language: key.slice(separator + 1), commands };
  });
  const sameChat = (scope: StoredScope) => Number(scope.chat_id) === viewer.chatId;
  const scopes: Array<(scope: StoredScope) => boolean> =
    viewer.chatType === 'private'
      ? [
          (s) => s.type === 'chat' && sameChat(s),
          (s) => s.type === 'all_private_chats',
          (s) => (s.type ?? 'default') === 'default',
        ]
      : [
          (s) => s.type === 'chat_member' && sameChat(s) && Number(s.user_id) === viewer.userId,
          (s) => viewer.isAdmin && s.type === 'chat_administrators' && sameChat(s),
          (s) => s.type === 'chat' && sameChat(s),
          (s) => viewer.isAdmin && s.type === 'all_chat_administrators',
          (s) => s.type === 'all_group_chats',
          (s) => (s.type ?? 'default') === 'default',
        ];
  const languages = viewer.languageCode ? [viewer.languageCode, ''] : [''];
  for (const matches of scopes) {
    for (const language of languages) {
      const found = entries.find((e) => e.language === language && matches(e.scope));
      if (found && found.commands.length > 0) return found.commands;
    }
  }
  return [];
}
