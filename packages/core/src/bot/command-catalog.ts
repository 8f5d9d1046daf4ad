import type { Translator } from '../i18n/types.js';
import type { CommandDefinition, LocalizedText } from '../plugin/types.js';

export type ChatKind = 'private' | 'group';

/** One command as shown to users: in /start, /help and Telegram's command menu. */
export interface CatalogCommand {
  command: string;
  /** Owner: `core` or a plugin id. */
  owner: string;
  scope: 'private' | 'group' | 'all';
  describe(locale: string): string;
}

/** Commands core itself handles. Plugins may also react to /start and /help (core calls next()). */
export const CORE_BOT_COMMANDS = [
  { command: 'start', scope: 'private', key: 'core-command-start' },
  { command: 'help', scope: 'all', key: 'core-command-help' },
  { command: 'language', scope: 'all', key: 'core-command-language' },
] as const;

function localized(text: LocalizedText, locale: string, defaultLocale: string): string {
  return text[locale] ?? text[defaultLocale] ?? text.en;
}

/**
 * The visible commands of the bot: core's first, then each plugin's in plugin order.
 * Hidden commands are left out (they still work).
 */
export function buildCommandCatalog(
  plugins: Array<{ id: string; commands: CommandDefinition[] }>,
  translator: Translator,
): CatalogCommand[] {
  const catalog: CatalogCommand[] = CORE_BOT_COMMANDS.map((core) => ({
    command: core.command,
    owner: 'core',
    scope: core.scope,
    describe: (locale) => translator.t(locale, core.key),
  }));
  for (const plugin of plugins) {
    for (const definition of plugin.commands) {
      if (definition.hidden) continue;
      catalog.push({
        command: definition.command,
        owner: plugin.id,
        scope: definition.scope ?? 'private',
        describe: (locale) => localized(definition.description, locale, translator.defaultLocale),
      });
    }
  }
  return catalog;
}

export function commandsForChat(catalog: CatalogCommand[], kind: ChatKind): CatalogCommand[] {
  return catalog.filter((entry) => entry.scope === 'all' || entry.scope === kind);
}

/** `/command — description` lines, as listed by /start and /help. */
export function formatCommandList(commands: CatalogCommand[], locale: string): string {
  return commands.map((entry) => `/${entry.command} — ${entry.describe(locale)}`).join('\n');
}
