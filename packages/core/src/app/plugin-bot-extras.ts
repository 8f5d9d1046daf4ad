import type { BotPluginEntry } from '../bot/bot-runtime.js';
import type { PluginRuntime } from './plugin-runtime.js';

/** What the bot runtime needs of a plugin beyond its handlers: chat ownership and user data. */
export function botPluginExtras(runtime: PluginRuntime): Pick<BotPluginEntry, 'conversation' | 'userData'> {
  const { conversation, userData } = runtime.manifest;
  return {
    conversation,
    userData: userData && {
      describe: userData.describe,
      erase: (userId) => userData.erase(userId, runtime.context),
    },
  };
}
