import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../src/app/create-app.js';
import { RuntimeSettings, runtimeSettingsOwners } from '../src/config/runtime-settings.js';
import type { AnyPlugin } from '../src/plugin/types.js';
import { startTestApp, type TestApp } from '../src/testing/test-app.js';

const LimitConfig = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(5),
  name: z.string().default('x'),
});

const limits: AnyPlugin = {
  id: 'limits',
  version: '1.0.0',
  core: '^0.1.0',
  config: LimitConfig,
  runtimeSettings: ['limit'],
  commands: [{ command: 'limit', description: { en: 'Show the limit', ru: 'Показать лимит' } }],
  bot({ composer, config }) {
    composer.command('limit', (ctx) =>
      ctx.reply(`limit is ${(config as z.output<typeof LimitConfig>).limit}`),
    );
  },
};

describe('settings changed at runtime from the admin API', () => {
  let t: TestApp;
  const path = '/admin/api/core/panel/settings/runtime/limits/limit';

  beforeAll(async () => {
    t = await startTestApp({ plugins: [limits] });
  });
  afterAll(() => t?.stop());

  it('lists runtime settings, validates with the plugin schema, applies at once and resets', async () => {
    const user = t.user('ann');
    await user.send('/limit');
    await user.expectReply('limit is 5');

    const listed = await t.viewer.get('/admin/api/core/panel/settings/runtime');
    expect(listed.body.settings).toEqual([
      expect.objectContaining({ owner: 'limits', name: 'limit', value: 5, configured: 5, overridden: false }),
    ]);
    expect((await t.viewer.put(path, { value: 7 })).status).toBe(403);
    const bad = await t.admin.put(path, { value: 1000 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_SETTING_VALUE');
    expect(
      (await t.admin.put('/admin/api/core/panel/settings/runtime/limits/name', { value: 'y' })).status,
    ).toBe(404);
    expect((await t.admin.put(path, { nope: 1 })).status).toBe(422);

    const set = await t.admin.put(path, { value: '7' });
    expect(set.status).toBe(200);
    expect(set.body.setting).toMatchObject({
      value: 7,
      configured: 5,
      overridden: true,
      updatedBy: 'test-admin',
    });
    await user.send('/limit');
    await user.expectReply('limit is 7');

    // Stored: a new start (here, a fresh loader over another config object) applies it again.
    const config = { limit: 5, name: 'x' };
    const reloaded = new RuntimeSettings(
      t.app.database!.sequelize,
      runtimeSettingsOwners([limits], new Map([['limits', config]])),
    );
    await reloaded.load();
    expect(config.limit).toBe(7);

    const audit = await t.admin.get('/admin/api/core/panel/audit');
    expect(audit.body.entries).toContainEqual(
      expect.objectContaining({ path, method: 'PUT', status: 200, summary: { value: '7' } }),
    );

    const reset = await t.admin.delete(path);
    expect(reset.body.setting).toMatchObject({ value: 5, overridden: false });
    await user.send('/limit');
    await user.expectReply('limit is 5');
  });

  it('refuses a runtime setting that is not a key of the config schema at boot', () => {
    expect(() =>
      createApp({
        plugins: [{ ...limits, runtimeSettings: ['missing'] }],
        env: {},
        dotenv: false,
        config: { DATABASE_URL: 'postgres://unused@127.0.0.1:1/none' },
      }),
    ).toThrow(/runtimeSettings.*"missing" is not a key of the config schema/s);
  });
});
