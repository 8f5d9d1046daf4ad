import type { ConversationDeclaration } from '@botloom/core';
import type { MemoryConfig } from '../config.js';

/**
 * Memory's part in private chats. Outside a session it answers free text only when it starts
 * or offers one (`outsideSession`); with `ignore` it reads free text only while it owns the
 * chat: from /start_session (or the session button) until /end_session. The choice is read
 * from the plugin's options; an env override of outsideSession does not change it.
 */
export function memoryConversation(options: Partial<MemoryConfig>): ConversationDeclaration {
  const mode = options.outsideSession ?? 'auto-start';
  return {
    intro: `memory-intro-${mode}`,
    menu: 'memory-menu',
    freeText: mode === 'ignore' ? 'claimed' : 'all',
  };
}
