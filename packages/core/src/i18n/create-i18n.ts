import { fileURLToPath } from 'node:url';
import { I18n, TranslateWarnings, type Warning } from '@grammyjs/i18n';
import type { Context } from 'grammy';
import type { Logger } from 'pino';
import type { BotContext } from '../bot/context.js';
import { combineLocaleSources, type LocaleSource, LocaleSourceError } from './locale-sources.js';
import type { Translator } from './types.js';

/** Session field holding the locale a user picked with /language (same field @grammyjs/i18n uses). */
export const LOCALE_SESSION_KEY = '__language_code';

/** Directory of core's own `en.ftl` / `ru.ftl` (works from `src/` and from `dist/`). */
export const CORE_LOCALES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

export interface CreateI18nOptions {
  /** Each plugin's Fluent files. Core's own messages are added first unless a `core` source is given. */
  sources: LocaleSource[];
  defaultLocale?: 'en';
  /** Receives one warning per key that exists in no locale at all. */
  logger?: Logger;
}

export interface BotI18n {
  /** The @grammyjs/i18n instance; its middleware is installed by the bot runtime. */
  grammy: I18n<BotContext>;
  /** Translation outside a grammY context (jobs, services). */
  translator: Translator;
  /** Locales that have at least one file, default first. */
  locales: string[];
  defaultLocale: string;
  /** Maps a Telegram `language_code` (`ru-RU`, `en`, `de`) to a supported locale. */
  resolveLocale(languageCode: string | undefined): string;
  /** The locale of an update: the user's /language choice from the session, else `from.language_code`. */
  negotiateLocale(ctx: Context): string;
}

export function createI18n(options: CreateI18nOptions): BotI18n {
  const defaultLocale = options.defaultLocale ?? 'en';
  const sources = options.sources.some((source) => source.pluginId === 'core')
    ? options.sources
    : [{ pluginId: 'core', locales: CORE_LOCALES_DIR }, ...options.sources];
  const combined = combineLocaleSources(sources);
  if (!combined.has(defaultLocale)) {
    throw new LocaleSourceError(
      'I18N_NO_DEFAULT',
      `No Fluent source for the default locale "${defaultLocale}"`,
    );
  }
  const locales = [
    defaultLocale,
    ...[...combined.keys()].filter((locale) => locale !== defaultLocale).sort(),
  ];

  const resolveLocale = (languageCode: string | undefined): string => {
    // Intake refuses a non-string language_code; this guards callers that bypass it.
    if (typeof languageCode !== 'string' || !languageCode) return defaultLocale;
    const lower = languageCode.toLowerCase().replace('_', '-');
    if (locales.includes(lower)) return lower;
    const primary = lower.split('-')[0]!;
    return locales.includes(primary) ? primary : defaultLocale;
  };

  const negotiateLocale = (ctx: Context): string => {
    const chosen = readChosenLocale(ctx);
    if (chosen !== undefined && locales.includes(chosen)) return chosen;
    return resolveLocale(ctx.from?.language_code);
  };

  const warnedKeys = new Set<string>();
  const onWarning = (warning: Warning) => {
    // A key missing in one locale falls back to the default bundle: that is expected, not noise.
    if (warning.type !== TranslateWarnings.MISSING_TRANSLATION || warnedKeys.has(warning.path)) return;
    warnedKeys.add(warning.path);
    options.logger?.warn(
      { key: warning.path, locales: warning.locales },
      'translation key is missing in every locale',
    );
  };

  const grammy = new I18n<BotContext>({
    defaultLocale,
    useSession: true,
    localeNegotiator: negotiateLocale,
    // Unicode isolation marks around placeables would end up in Telegram messages.
    fluentBundleOptions: { useIsolating: false },
    fluentOptions: { warningHandler: onWarning },
  });
  // Default locale first: it becomes the fallback bundle of every lookup.
  for (const locale of locales) {
    grammy.loadLocaleSync(locale, { source: combined.get(locale)!, bundleOptions: { useIsolating: false } });
  }
  memoizeBundleMatching(grammy);

  const translator: Translator = {
    locales,
    defaultLocale,
    t: (locale, key, variables) => grammy.t(resolveLocale(locale), key, variables),
  };
  return { grammy, translator, locales, defaultLocale, resolveLocale, negotiateLocale };
}

function readChosenLocale(ctx: Context): string | undefined {
  try {
    // Throws when the update has no chat (no session key); undefined before the session loads.
    const session = (ctx as Partial<BotContext>).session as Record<string, unknown> | undefined;
    const value = session?.[LOCALE_SESSION_KEY];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @grammyjs/i18n negotiates the bundles for a locale (@fluent/langneg) on every `ctx.t`; the
 * answer only changes when a bundle is added, so it is kept per locale list. Left alone if
 * the library's internals are not the expected ones.
 */
function memoizeBundleMatching(i18n: I18n<BotContext>): void {
  const fluent = i18n.fluent as unknown as {
    matchBundles?: (locales: string[]) => Set<unknown>;
    addBundle?: (...args: unknown[]) => void;
  };
  const match = fluent.matchBundles;
  const add = fluent.addBundle;
  if (typeof match !== 'function' || typeof add !== 'function') return;
  const cache = new Map<string, Set<unknown>>();
  fluent.matchBundles = (locales) => {
    const key = locales.join('\n');
    let bundles = cache.get(key);
    if (!bundles) {
      bundles = match.call(fluent, locales);
      if (cache.size >= 1000) cache.clear(); // locale lists come from users' language codes
      cache.set(key, bundles);
    }
    return bundles;
  };
  fluent.addBundle = (...args) => {
    cache.clear();
    add.apply(fluent, args);
  };
}
