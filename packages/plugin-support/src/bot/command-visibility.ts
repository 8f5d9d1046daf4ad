import type { CommandViewer } from '@botloom/core';
import type { SupportConfig } from '../config.js';

/**
 * Who sees support's hidden commands in /help: the manager tools (/addmanager, /managers,
 * /removemanager) the support admin in a private chat, /close everyone in the manager group.
 */
export function supportCommandVisibility(config: () => SupportConfig | undefined) {
  return {
    admin: (who: CommandViewer) =>
      who.chatType === 'private' &&
      config()?.adminUserId !== undefined &&
      who.userId === config()?.adminUserId,
    managerGroup: (who: CommandViewer) =>
      config()?.managerGroupChatId !== undefined && who.chatId === config()?.managerGroupChatId,
  };
}
