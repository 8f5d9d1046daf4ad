import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { z as z4 } from 'zod/v4';
import { createApp } from '../src/app/create-app.js';
import { createToken } from '../src/di/tokens.js';
import { BootError } from '../src/errors/botloom-error.js';
import { problemsOf } from '../src/plugin/boot-problems.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import type { AnyPlugin } from '../src/plugin/types.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { quietLogger } from './helpers/quiet-logger.js';

const plugin = (id: string, extra: Partial<AnyPlugin> = {}): AnyPlugin =>
  definePlugin({ id, version: '1.0.0', core: '^0.1.0', ...extra });

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

function boot(plugins: unknown[], config: Record<string, unknown> = {}) {
  return createApp({
    plugins: plugins as AnyPlugin[],
    config: { DATABASE_URL: db.url, PORT: 0, HOST: '127.0.0.1', KV_URL: 'memory://', ...config },
    env: {},
    dotenv: false,
    sandbox: false,
    logger: quietLogger(),
  });
}

function bootError(plugins: unknown[], config: Record<string, unknown> = {}): BootError {
  try {
    boot(plugins, config);
  } catch (err) {
    expect(err).toBeInstanceOf(BootError);
    return err as BootError;
  }
  throw new Error('expected a BootError');
}

describe('plugin loader boot errors', () => {
  it('names a missing dependency with the chain of dependents', () => {
    const err = bootError([
      plugin('support', { dependsOn: ['memory'] }),
      plugin('memory', { dependsOn: ['crypto-x'] }),
    ]);
    expect(err.code).toBe('MISSING_DEPENDENCY');
    expect(err.message).toContain('support -> memory -> missing "crypto-x"');
  });

  it('prints a dependency cycle', () => {
    const err = bootError([
      plugin('a', { dependsOn: ['b'] }),
      plugin('b', { dependsOn: ['c'] }),
      plugin('c', { dependsOn: ['a'] }),
      plugin('d'),
    ]);
    expect(err.code).toBe('DEPENDENCY_CYCLE');
    expect(err.message).toMatch(/a -> b -> c -> a/);
  });

  it('refuses a duplicate plugin id', () => {
    const err = bootError([plugin('memory'), plugin('memory', { version: '2.0.0' })]);
    expect(err.code).toBe('DUPLICATE_PLUGIN');
    expect(err.message).toContain('"memory" is registered 2 times');
  });

  it('refuses a plugin made for another core version', () => {
    const err = bootError([plugin('old', { core: '^0.0.1' }), plugin('future', { core: '>=1.0.0' })]);
    expect(err.code).toBe('INCOMPATIBLE_CORE');
    expect(err.message).toMatch(/old: requires @botloom\/core \^0\.0\.1, but this is 0\.1\.\d/);
    expect(err.message).toContain('future: requires @botloom/core >=1.0.0');
  });

  it('names both plugins of a duplicate bot command, and refuses core commands', () => {
    const cmd = (command: string) => ({ command, description: { en: command } });
    const err = bootError([
      plugin('support', { commands: [cmd('ticket')] }),
      plugin('helpdesk', { commands: [cmd('ticket')] }),
      plugin('greeter', { commands: [cmd('start')] }),
    ]);
    expect(err.code).toBe('DUPLICATE_COMMAND');
    expect(err.message).toContain('command /ticket is declared by "support" and "helpdesk"');
    expect(err.message).toContain('command /start is declared by "core" and "greeter"');
  });

  it('refuses deep links that two plugins would share, and a menu entry without free text', () => {
    const err = bootError([
      plugin('support', { conversation: { deepLinks: ['support'], freeText: 'all' } }),
      plugin('sales', { conversation: { deepLinks: ['sales-', 'support'], freeText: 'claimed' } }),
      plugin('promo', { conversation: { deepLinks: ['sales-summer'] } }),
      plugin('menu', { conversation: { menu: 'menu-label' } }),
    ]);
    expect(err.message).toContain('deep link "support" of "sales" overlaps "support" of "support"');
    expect(err.message).toContain('deep link "sales-summer" of "promo" overlaps "sales-" of "sales"');
    expect(err.message).toMatch(/menu: conversation\.menu.*needs freeText/);
  });

  it('validates the manifest shape', () => {
    const err = bootError([
      { id: 'Bad_Id', version: '1.0.0', core: '^0.1.0' },
      { id: 'nover', version: 'one', core: 'whatever', commands: [{ command: 'Hi!', description: {} }] },
      { id: 'cfg', version: '1.0.0', core: '^0.1.0', config: { notZod: true }, start: 'no' },
      // A schema from zod 4 (what `npm i zod` installs today): the error names the mismatch.
      { id: 'cfg4', version: '1.0.0', core: '^0.1.0', config: z4.object({ a: z4.string() }) },
      () => plugin('factory'),
    ]);
    expect(err.code).toBe('INVALID_MANIFEST');
    const messages = problemsOf(err)!.map((p) => `${p.plugin}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Bad_Id: id: must be lowercase/),
        expect.stringMatching(/^nover: version: must be a semver version/),
        expect.stringMatching(/^nover: core: must be a semver range/),
        expect.stringMatching(/^nover: commands\.0\.command/),
        expect.stringMatching(/^nover: commands\.0\.description\.en/),
        expect.stringMatching(/^cfg: config: must be a zod schema/),
        expect.stringMatching(
          /^cfg4: config: is a zod 4 schema, but Botloom reads config schemas with zod \^3\.25\.0: install zod@3/,
        ),
        expect.stringMatching(/^cfg: start: must be a function/),
        expect.stringMatching(/^plugins\[4\]: is not a plugin manifest/),
      ]),
    );
  });

  it('reports config errors of every plugin and of core in one error, before anything starts', () => {
    const started: string[] = [];
    const err = bootError(
      [
        plugin('support', {
          config: z.object({ managerGroupChatId: z.number(), slaMinutes: z.number().min(1) }),
          options: { slaMinutes: 0 },
          start: () => {
            started.push('support');
          },
        }),
        plugin('memory', { config: z.object({ maxMemories: z.number().int().positive() }) }),
      ],
      { PORT: 'not-a-port' },
    );
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain('core: PORT (PORT)');
    expect(err.message).toContain(
      'support: managerGroupChatId (BOTLOOM_SUPPORT_MANAGER_GROUP_CHAT_ID): Required',
    );
    expect(err.message).toContain('support: slaMinutes (BOTLOOM_SUPPORT_SLA_MINUTES)');
    expect(err.message).toContain('memory: maxMemories (BOTLOOM_MEMORY_MAX_MEMORIES): Required');
    expect(problemsOf(err)).toHaveLength(4);
    expect(started).toEqual([]);
  });

  it('reports graph and config problems of different kinds together', () => {
    const err = bootError([
      plugin('a'),
      plugin('a'),
      plugin('b', { dependsOn: ['nope'], config: z.object({ x: z.string() }) }),
      { id: 'core', version: '1.0.0', core: '^0.1.0' },
    ]);
    expect(err.code).toBe('BOOT_FAILED');
    expect(
      problemsOf(err)!
        .map((p) => p.code)
        .sort(),
    ).toEqual(['DUPLICATE_PLUGIN', 'INVALID_CONFIG', 'INVALID_MANIFEST', 'MISSING_DEPENDENCY']);
    expect(err.message).toContain('"core" is reserved for core');
  });

  it('orders plugins by dependsOn, not by array order', () => {
    const app = boot([
      plugin('support', { dependsOn: ['memory', 'crm'] }),
      plugin('crm'),
      plugin('memory', { dependsOn: ['crm'] }),
      plugin('standalone'),
    ]);
    expect(app.plugins.map((p) => p.id)).toEqual(['crm', 'memory', 'support', 'standalone']);
  });
});

describe('boot errors found while starting', () => {
  it('fails when a plugin resolves a service nobody registered, naming the token and the plugin', async () => {
    const Missing = createToken<{ hello(): void }>('crm.CustomerService');
    const app = boot([plugin('support', { start: ({ resolve }) => void resolve(Missing) })]);
    const err = await app.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BootError);
    expect((err as BootError).message).toContain('support: start() failed');
    expect((err as BootError).message).toContain('"crm.CustomerService"');
    expect(app.state).toBe('failed');
  });

  it('turns a clashing HTTP route into a BootError that names the culprit', async () => {
    let sandboxStopped = false;
    const app = createApp({
      plugins: [
        plugin('shop', {
          http: ({ router }) => {
            router.get('/orders', (ctx) => {
              ctx.body = 'orders';
            });
          },
        }),
      ],
      config: { DATABASE_URL: db.url, PORT: 0, HOST: '127.0.0.1', KV_URL: 'memory://' },
      env: {},
      dotenv: false,
      logger: quietLogger(),
      // A sandbox that claims the shop plugin's public prefix for itself.
      sandbox: async () => ({
        token: '1:fake',
        apiRoot: 'http://127.0.0.1:9',
        routes: [{ prefix: '/p/shop', owner: 'greedy-sandbox', middleware: async () => {} }],
        stop: async () => {
          sandboxStopped = true;
        },
      }),
    });
    const err = await app.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BootError);
    expect((err as BootError).code).toBe('ROUTE_CLASH');
    expect((err as BootError).message).toContain('/p/shop');
    expect((err as BootError).message).toContain('"greedy-sandbox"');
    expect(app.state).toBe('failed');
    expect(sandboxStopped).toBe(true);
  });

  it('shares exposed services through the root container and refuses a token exposed twice', async () => {
    const Greeter = createToken<{ greet(name: string): string }>('crm.Greeter');
    const seen: string[] = [];
    const app = boot([
      plugin('consumer', {
        dependsOn: ['crm'],
        start: ({ resolve }) => {
          seen.push(resolve(Greeter).greet('ann'));
        },
      }),
      plugin('crm', {
        register: ({ expose }) => expose(Greeter, () => ({ greet: (name) => `hi ${name}` })),
      }),
    ]);
    await app.start();
    try {
      expect(seen).toEqual(['hi ann']);
    } finally {
      await app.stop();
    }

    const twice = boot([
      plugin('one', { register: ({ expose }) => expose(Greeter, () => ({ greet: () => '' })) }),
      plugin('two', { register: ({ expose }) => expose(Greeter, () => ({ greet: () => '' })) }),
    ]);
    const err = await twice.start().catch((e: unknown) => e);
    expect((err as BootError).message).toContain(
      'Plugin "two" exposes "crm.Greeter", which plugin "one" already provides',
    );
  });
});
