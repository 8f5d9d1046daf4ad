import type { CommandViewer } from '@botloom/core';
import { managerGroupChatIdOf, type SupportConfig, type SupportWiring } from '../config.js';

/**
 * Who sees support's hidden commands in /help: the manager tools (/addmanager, /managers,
 * /removemanager) the support admin in a private chat, /bot and /close everyone in the manager group.
 */
export const supportCommandVisibility = {
  admin: (who: CommandViewer, config: SupportConfig) =>
    who.chatType === 'private' && config.adminUserId !== undefined && who.userId === config.adminUserId,
  managerGroup: (who: CommandViewer, config: SupportConfig, wiring?: SupportWiring) => {
    const group = managerGroupChatIdOf(config, wiring);
    return group !== undefined && who.chatId === group;
  },
};
