import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { FluentResource } from '@fluent/bundle';
import { BotloomError } from '../errors/botloom-error.js';

/** Where one plugin's translations come from: a directory of `<locale>.ftl` files, or inline sources. */
export interface LocaleSource {
  pluginId: string;
  /** A directory holding `en.ftl`, `ru.ftl`, ... or `{ en: '<ftl source>', ru: '...' }`. */
  locales?: string | Record<string, string>;
}

/** A Fluent file, or a directory or inline source, that cannot be used. */
export class LocaleSourceError extends BotloomError {}

interface LoadedFile {
  pluginId: string;
  locale: string;
  /** File path or `inline`, for error messages. */
  origin: string;
  source: string;
}

const LOCALE_PATTERN = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;
// An entry starts at the beginning of a line: `key = ...` (message) or `-key = ...` (term).
const ENTRY_START = /^(-?[a-zA-Z][a-zA-Z0-9_-]*)\s*=/gm;

function readSourceFiles(source: LocaleSource): LoadedFile[] {
  const { pluginId, locales } = source;
  if (locales === undefined) return [];
  if (typeof locales !== 'string') {
    return Object.entries(locales).map(([locale, text]) => {
      if (!LOCALE_PATTERN.test(locale)) {
        throw new LocaleSourceError(
          'I18N_BAD_LOCALE',
          `Plugin "${pluginId}": "${locale}" is not a locale id`,
        );
      }
      return { pluginId, locale: locale.toLowerCase(), origin: 'inline', source: text };
    });
  }
  let entries: string[];
  try {
    if (!statSync(locales).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(locales);
  } catch (error) {
    throw new LocaleSourceError(
      'I18N_LOCALES_DIR',
      `Plugin "${pluginId}": locales directory ${locales} cannot be read (${(error as Error).message})`,
      { cause: error },
    );
  }
  return entries
    .filter((name) => extname(name) === '.ftl')
    .sort()
    .map((name) => {
      const locale = basename(name, '.ftl');
      const path = join(locales, name);
      if (!LOCALE_PATTERN.test(locale)) {
        throw new LocaleSourceError(
          'I18N_BAD_LOCALE',
          `Plugin "${pluginId}": ${path} is not named <locale>.ftl`,
        );
      }
      return { pluginId, locale: locale.toLowerCase(), origin: path, source: readFileSync(path, 'utf8') };
    });
}

/** Ids of messages and terms (`-term`) that Fluent parsed from a source. */
function parsedIds(source: string): string[] {
  const resource = new FluentResource(source);
  return resource.body.map((entry) => entry.id);
}

/**
 * Reads every plugin's Fluent files and returns one combined source per locale.
 *
 * One bundle per locale is needed because @grammyjs/i18n only consults the first bundle
 * registered for a locale. Combining also lets us refuse what Fluent would silently accept:
 * an entry with a syntax error (Fluent skips it) and the same key shipped twice (Fluent lets
 * the last one win).
 */
export function combineLocaleSources(sources: LocaleSource[]): Map<string, string> {
  const owners = new Map<string, Map<string, string>>(); // locale -> id -> "plugin (origin)"
  const combined = new Map<string, string[]>();
  for (const source of sources) {
    for (const file of readSourceFiles(source)) {
      const where = `plugin "${file.pluginId}" (${file.origin})`;
      const ids = parsedIds(file.source);
      const declared = [...file.source.matchAll(ENTRY_START)].map((match) => match[1]!);
      const broken = declared.filter((id) => !ids.includes(id));
      if (broken.length > 0) {
        throw new LocaleSourceError(
          'I18N_SYNTAX',
          `Fluent syntax error in ${where}, locale ${file.locale}: entries ${broken.join(', ')} cannot be parsed`,
        );
      }
      const localeOwners = owners.get(file.locale) ?? new Map<string, string>();
      owners.set(file.locale, localeOwners);
      for (const id of ids) {
        const previous = localeOwners.get(id);
        if (previous !== undefined) {
          throw new LocaleSourceError(
            'I18N_DUPLICATE_KEY',
            `Translation key "${id}" (locale ${file.locale}) is defined by ${previous} and again by ${where}; ` +
              `name keys <plugin>-<key> to keep them apart`,
          );
        }
        localeOwners.set(id, where);
      }
      const parts = combined.get(file.locale) ?? [];
      parts.push(file.source);
      combined.set(file.locale, parts);
    }
  }
  return new Map([...combined].map(([locale, parts]) => [locale, parts.join('\n\n')]));
}
