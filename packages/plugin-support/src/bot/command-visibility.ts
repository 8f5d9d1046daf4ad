import type { CommandViewer } from '@botloom/core';
import type { SupportConfig } from '../config.js';

/**
 * Who sees support's hidden commands in /help: the manager tools (/addmanager, /managers,
 * /removemanager) the support admin in a private chat, /close everyone in the manager group.
 */
export const supportCommandVisibility = {
  admin: (who: CommandViewer, config: SupportConfig) =>
    who.chatType === 'private' && config.adminUserId !== undefined && who.userId === config.adminUserId,
  managerGroup: (who: CommandViewer, config: SupportConfig) =>
    config.managerGroupChatId !== undefined && who.chatId === config.managerGroupChatId,
};
