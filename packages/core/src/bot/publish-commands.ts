import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { Translator } from '../i18n/types.js';
import { type CatalogCommand, type ChatKind, commandsForChat, publicCommands } from './command-catalog.js';

const SCOPES: Array<{ kind: ChatKind; scope: { type: 'all_private_chats' | 'all_group_chats' } }> = [
  { kind: 'private', scope: { type: 'all_private_chats' } },
  { kind: 'group', scope: { type: 'all_group_chats' } },
];

const MAX_DESCRIPTION = 256;
const MAX_COMMANDS = 100;

/**
 * Sets Telegram's command menu: for private chats and for groups, once per locale
 * (`language_code`) and once without a language for users of any other language (default
 * locale). Each failed call is logged and the rest continue: a menu is not worth a failed boot.
 * Returns the number of failed calls.
 */
export async function publishCommands(
  api: Api,
  catalog: CatalogCommand[],
  translator: Translator,
  logger: Logger,
): Promise<number> {
  let failures = 0;
  for (const { kind, scope } of SCOPES) {
    const entries = commandsForChat(publicCommands(catalog), kind).slice(0, MAX_COMMANDS);
    const languages: Array<string | undefined> = [undefined, ...translator.locales];
    for (const language of languages) {
      const locale = language ?? translator.defaultLocale;
      const commands = entries.map((entry) => ({
        command: entry.command,
        description: entry.describe(locale).slice(0, MAX_DESCRIPTION) || entry.command,
      }));
      try {
        const other: Parameters<Api['setMyCommands']>[1] = {
          scope,
          ...(language ? { language_code: language as never } : {}),
        };
        await api.setMyCommands(commands, other);
      } catch (error) {
        failures += 1;
        logger.warn(
          { err: error, scope: scope.type, language: language ?? 'default' },
          'setMyCommands failed',
        );
      }
    }
  }
  return failures;
}
