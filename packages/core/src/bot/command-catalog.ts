import type { Translator } from '../i18n/types.js';
import type { CommandDefinition, CommandViewer, LocalizedText } from '../plugin/types.js';

export type ChatKind = 'private' | 'group';

/** One command as shown to users: in /start, /help and Telegram's command menu. */
export interface CatalogCommand {
  command: string;
  /** Owner: `core` or a plugin id. */
  owner: string;
  scope: 'private' | 'group' | 'all';
  describe(locale: string): string;
  /** A hidden command shown by /help only to those for whom this says true (never in the menu). */
  visibleTo?(who: CommandViewer, config?: unknown): boolean | Promise<boolean>;
}

/** Commands core itself handles; /delete_my_data only where some plugin keeps user data. */
export const CORE_BOT_COMMANDS = [
  { command: 'start', scope: 'private', key: 'core-command-start' },
  { command: 'help', scope: 'all', key: 'core-command-help' },
  { command: 'language', scope: 'all', key: 'core-command-language' },
] as const;
export const DELETE_MY_DATA_COMMAND = {
  command: 'delete_my_data',
  scope: 'private',
  key: 'core-command-delete-my-data',
} as const;

function localized(text: LocalizedText, locale: string, defaultLocale: string): string {
  return text[locale] ?? text[defaultLocale] ?? text.en;
}

/**
 * The visible commands of the bot: core's first, then each plugin's in plugin order.
 * Hidden commands are left out (they still work).
 */
export function buildCommandCatalog(
  plugins: Array<{ id: string; commands: CommandDefinition[]; userData?: unknown; config?: unknown }>,
  translator: Translator,
): CatalogCommand[] {
  const core = plugins.some((p) => p.userData)
    ? [...CORE_BOT_COMMANDS, DELETE_MY_DATA_COMMAND]
    : CORE_BOT_COMMANDS;
  const catalog: CatalogCommand[] = core.map((core) => ({
    command: core.command,
    owner: 'core',
    scope: core.scope,
    describe: (locale) => translator.t(locale, core.key),
  }));
  for (const plugin of plugins) {
    for (const definition of plugin.commands) {
      if (definition.hidden && !definition.visibleTo) continue;
      catalog.push({
        command: definition.command,
        owner: plugin.id,
        scope: definition.scope ?? 'private',
        describe: (locale) => localized(definition.description, locale, translator.defaultLocale),
        ...(definition.hidden
          ? { visibleTo: (who: CommandViewer) => definition.visibleTo!(who, plugin.config) }
          : {}),
      });
    }
  }
  return catalog;
}

export function commandsForChat(catalog: CatalogCommand[], kind: ChatKind): CatalogCommand[] {
  return catalog.filter((entry) => entry.scope === 'all' || entry.scope === kind);
}

/** The commands of the public menu: hidden ones left out, even those some users see in /help. */
export function publicCommands(catalog: CatalogCommand[]): CatalogCommand[] {
  return catalog.filter((entry) => !entry.visibleTo);
}

/** What one person sees in one chat: public commands, plus hidden ones whose predicate allows it. */
export async function commandsFor(
  catalog: CatalogCommand[],
  kind: ChatKind,
  who: CommandViewer | undefined,
  onError: (error: unknown, command: string) => void,
): Promise<CatalogCommand[]> {
  const shown: CatalogCommand[] = [];
  for (const entry of commandsForChat(catalog, kind)) {
    if (!entry.visibleTo) {
      shown.push(entry);
      continue;
    }
    if (!who) continue;
    try {
      if (await entry.visibleTo(who)) shown.push(entry);
    } catch (error) {
      onError(error, entry.command);
    }
  }
  return shown;
}

/** `/command — description` lines, as listed by /start and /help. */
export function formatCommandList(commands: CatalogCommand[], locale: string): string {
  return commands.map((entry) => `/${entry.command} — ${entry.describe(locale)}`).join('\n');
}
