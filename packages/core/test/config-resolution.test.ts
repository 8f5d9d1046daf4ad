import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadEnvSources } from '../src/config/env-sources.js';
import { resolveCoreConfig, resolvePluginConfig } from '../src/config/resolve-config.js';
import { pluginEnvName, toUpperSnake } from '../src/config/schema-introspection.js';
import { formatSettingsTable, isSecretSetting, MASK, maskUrlPassword } from '../src/config/settings.js';
import { secret } from '../src/index.js';
import { definePlugin } from '../src/plugin/define-plugin.js';

const schema = z.object({
  greeting: z.string().default('hi').describe('What the bot says'),
  maxItems: z.number().int().min(1).default(5),
  enabled: z.boolean().default(false),
  managerGroupChatId: z.number().optional(),
  apiToken: secret(z.string().optional()),
  tokenBudget: z.number().default(3000).describe('Token budget of a prompt'),
  tags: z.array(z.string()).default([]),
});

const plugin = (options: Partial<z.input<typeof schema>> = {}) =>
  definePlugin({
    id: 'order-status',
    version: '1.0.0',
    core: '^0.1.0',
    config: schema,
    options,
    env: { managerGroupChatId: ['MANAGER_GROUP_CHAT_ID'] },
  });

describe('plugin settings', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('names env variables BOTLOOM_<PLUGIN>_<UPPER_SNAKE_KEY>', () => {
    expect(toUpperSnake('managerGroupChatId')).toBe('MANAGER_GROUP_CHAT_ID');
    expect(toUpperSnake('maxItems')).toBe('MAX_ITEMS');
    expect(toUpperSnake('openAIKey')).toBe('OPEN_AI_KEY');
    expect(pluginEnvName('order-status', 'maxItems')).toBe('BOTLOOM_ORDER_STATUS_MAX_ITEMS');
  });

  it('applies default < options < .env < environment < createApp config', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'botloom-config-'));
    dirs.push(dir);
    await writeFile(
      path.join(dir, '.env'),
      'BOTLOOM_ORDER_STATUS_GREETING=from-dotenv\nBOTLOOM_ORDER_STATUS_MAX_ITEMS=7\nBOTLOOM_ORDER_STATUS_ENABLED=true\n',
    );
    const sources = loadEnvSources({ cwd: dir, env: { BOTLOOM_ORDER_STATUS_MAX_ITEMS: '9' } });

    const onlyDefaults = resolvePluginConfig(plugin(), { dotenv: {}, env: {} });
    expect(onlyDefaults.value).toMatchObject({ greeting: 'hi', maxItems: 5, enabled: false });

    const withOptions = resolvePluginConfig(plugin({ greeting: 'from-options', maxItems: 2 }), {
      dotenv: {},
      env: {},
    });
    expect(withOptions.value).toMatchObject({ greeting: 'from-options', maxItems: 2 });

    const all = resolvePluginConfig(plugin({ greeting: 'from-options', maxItems: 2 }), sources, {
      enabled: false,
    });
    expect(all.problems).toEqual([]);
    // .env beats options, the environment beats .env, createApp config beats everything.
    expect(all.value).toMatchObject({ greeting: 'from-dotenv', maxItems: 9, enabled: false });
    const rows = Object.fromEntries(all.rows.map((r) => [r.name, r]));
    expect(rows.greeting!.source).toBe('.env');
    expect(rows.maxItems!.source).toBe('env');
    expect(rows.enabled!.source).toBe('config');
    expect(rows.tags!.source).toBe('default');
    expect(rows.greeting!.description).toBe('What the bot says');
    expect(rows.maxItems!.default).toBe(5);
  });

  it('reads manifest env aliases and converts env strings to numbers, booleans and lists', () => {
    const result = resolvePluginConfig(plugin(), {
      dotenv: {},
      env: {
        MANAGER_GROUP_CHAT_ID: '-100123',
        BOTLOOM_ORDER_STATUS_TAGS: 'a, b,c',
        BOTLOOM_ORDER_STATUS_ENABLED: 'yes',
      },
    });
    expect(result.problems).toEqual([]);
    expect(result.value).toMatchObject({ managerGroupChatId: -100123, tags: ['a', 'b', 'c'], enabled: true });
    // The canonical name wins over the alias.
    const both = resolvePluginConfig(plugin(), {
      dotenv: {},
      env: { MANAGER_GROUP_CHAT_ID: '1', BOTLOOM_ORDER_STATUS_MANAGER_GROUP_CHAT_ID: '2' },
    });
    expect(both.value).toMatchObject({ managerGroupChatId: 2 });
  });

  it('reports every invalid setting with its env name, and unknown keys given in code', () => {
    const result = resolvePluginConfig(
      plugin(),
      { dotenv: {}, env: { BOTLOOM_ORDER_STATUS_MAX_ITEMS: 'lots', BOTLOOM_ORDER_STATUS_ENABLED: 'maybe' } },
      { greting: 'typo' },
    );
    expect(result.value).toBeUndefined();
    const messages = result.problems.map((p) => p.message).join('\n');
    expect(messages).toContain('maxItems (BOTLOOM_ORDER_STATUS_MAX_ITEMS)');
    expect(messages).toContain('enabled (BOTLOOM_ORDER_STATUS_ENABLED)');
    expect(messages).toContain('greting: unknown setting');
    expect(result.problems.every((p) => p.plugin === 'order-status' && p.code === 'INVALID_CONFIG')).toBe(
      true,
    );
  });

  it('masks secrets in the settings table', () => {
    const result = resolvePluginConfig(plugin({ apiToken: 'super-secret-value' }), { dotenv: {}, env: {} });
    const row = result.rows.find((r) => r.name === 'apiToken')!;
    expect(row.secret).toBe(true);
    expect(row.value).toBe(MASK);
    expect(formatSettingsTable(result.rows)).not.toContain('super-secret-value');
    expect(row.description).toBe('(secret)');
    // Marked explicitly, never by name: a "token" budget is a plain number.
    const budget = result.rows.find((r) => r.name === 'tokenBudget')!;
    expect(budget).toMatchObject({ secret: false, value: 3000 });
    expect(isSecretSetting('Signing key (secret)')).toBe(true);
    expect(isSecretSetting(secret(z.string().describe('Signing key')).description)).toBe(true);
    expect(isSecretSetting('Token budget of the prompt')).toBe(false);
    expect(isSecretSetting(undefined)).toBe(false);
  });
});

describe('core settings', () => {
  it('reads well-known env names, lets createApp config override them, and masks secrets and URL passwords', () => {
    const result = resolveCoreConfig(
      {
        dotenv: { PORT: '4000', TELEGRAM_BOT_TOKEN: '123:dotenv-token' },
        env: { PORT: '5000', DATABASE_URL: 'postgres://bot:hunter2@db:5432/bot', OPENAI_API_KEY: '' },
      },
      { PORT: 0 },
    );
    expect(result.problems).toEqual([]);
    expect(result.value!.PORT).toBe(0);
    expect(result.value!.TELEGRAM_BOT_TOKEN).toBe('123:dotenv-token');
    // An empty env value counts as unset.
    expect(result.value!.OPENAI_API_KEY).toBeUndefined();
    const rows = Object.fromEntries(result.rows.map((r) => [r.name, r]));
    expect(rows.TELEGRAM_BOT_TOKEN!.value).toBe(MASK);
    expect(rows.DATABASE_URL!.value).toBe(`postgres://bot:${MASK}@db:5432/bot`);
    expect(rows.PORT!.source).toBe('config');
    expect(maskUrlPassword('redis://:pw@host:6379')).toBe(`redis://:${MASK}@host:6379`);
  });

  it('collects every invalid core setting', () => {
    const result = resolveCoreConfig({ dotenv: {}, env: { PORT: 'eighty', LOG_LEVEL: 'loud' } }, {
      NOPE: 1,
    } as never);
    expect(result.problems.map((p) => p.message.split(':')[0])).toEqual(
      expect.arrayContaining(['PORT (PORT)', 'LOG_LEVEL (LOG_LEVEL)', 'NOPE']),
    );
  });
});
