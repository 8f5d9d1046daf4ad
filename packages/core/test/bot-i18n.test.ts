import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createI18n } from '../src/i18n/create-i18n.js';
import { LocaleSourceError } from '../src/i18n/locale-sources.js';

const dir = mkdtempSync(join(tmpdir(), 'botloom-i18n-'));
writeFileSync(join(dir, 'en.ftl'), 'demo-hello = Hello, { $name }!\ndemo-only-en = Only in English\n');
writeFileSync(join(dir, 'ru.ftl'), 'demo-hello = Привет, { $name }!\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createI18n', () => {
  const { translator, resolveLocale, locales } = createI18n({
    sources: [
      { pluginId: 'demo', locales: dir },
      { pluginId: 'inline', locales: { en: 'inline-bye = Bye', ru: 'inline-bye = Пока' } },
    ],
  });

  it('loads core messages and plugin files from a directory and inline sources', () => {
    expect(locales).toEqual(['en', 'ru']);
    expect(translator.t('en', 'core-help-title')).toBe('Available commands:');
    expect(translator.t('ru', 'core-help-title')).toBe('Доступные команды:');
    expect(translator.t('ru', 'demo-hello', { name: 'Аня' })).toBe('Привет, Аня!');
    expect(translator.t('en', 'inline-bye')).toBe('Bye');
    expect(translator.t('ru', 'inline-bye')).toBe('Пока');
  });

  it('falls back to English for a key missing in Russian, and has no isolation marks', () => {
    expect(translator.t('ru', 'demo-only-en')).toBe('Only in English');
    expect(translator.t('en', 'demo-hello', { name: 'Ann' })).toBe('Hello, Ann!');
    expect(translator.t('ru', 'core-error-generic', { id: 'ab12cd34' })).toContain('Код ошибки: ab12cd34');
  });

  it('maps Telegram language codes: ru* to ru, anything else to en', () => {
    expect(resolveLocale('ru')).toBe('ru');
    expect(resolveLocale('ru-RU')).toBe('ru');
    expect(resolveLocale('en-GB')).toBe('en');
    expect(resolveLocale('de')).toBe('en');
    expect(resolveLocale(undefined)).toBe('en');
    expect(translator.t('uk', 'core-help-title')).toBe('Available commands:');
  });

  it('refuses the same key shipped by two plugins, naming both', () => {
    const attempt = () =>
      createI18n({
        sources: [
          { pluginId: 'a', locales: { en: 'shared-key = A' } },
          { pluginId: 'b', locales: { en: 'shared-key = B' } },
        ],
      });
    expect(attempt).toThrow(LocaleSourceError);
    expect(attempt).toThrow(/shared-key.*plugin "a".*plugin "b"/);
  });

  it('refuses a Fluent syntax error instead of silently dropping the message', () => {
    expect(() =>
      createI18n({
        sources: [{ pluginId: 'broken', locales: { en: 'broken-ok = fine\nbroken-bad = { $\n' } }],
      }),
    ).toThrow(/broken-bad/);
  });

  it('refuses a missing locales directory', () => {
    expect(() => createI18n({ sources: [{ pluginId: 'gone', locales: join(dir, 'nope') }] })).toThrow(/gone/);
  });
});
