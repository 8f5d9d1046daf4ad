import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../src/app/create-app.js';
import { coreServices } from '../src/core-services.js';
import { BootError } from '../src/errors/botloom-error.js';
import { problemsOf } from '../src/plugin/boot-problems.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import { createServiceRef, optional } from '../src/plugin/service-ref.js';
import type { AnyPlugin } from '../src/plugin/types.js';
import { startTestApp } from '../src/testing/test-app.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { quietLogger } from './helpers/quiet-logger.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

function boot(plugins: AnyPlugin[]) {
  return createApp({
    plugins,
    config: { DATABASE_URL: db.url, PORT: 0, HOST: '127.0.0.1', KV_URL: 'memory://' },
    env: {},
    dotenv: false,
    sandbox: false,
    logger: quietLogger(),
  });
}

function bootProblems(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BootError);
    return problemsOf(err) ?? [];
  }
  throw new Error('expected a BootError');
}

interface Greeter {
  greet(name: string): string;
}
const greeterRef = createServiceRef<Greeter>({ id: 'greeter.greeter', owner: 'greeter' });

const greeterPlugin = (extra: Partial<AnyPlugin> = {}) =>
  definePlugin({
    id: 'greeter',
    version: '1.0.0',
    core: '^0.1.0',
    config: z.object({ greeting: z.string().default('Hello') }),
    provides: [greeterRef],
    services: {
      deps: { db: coreServices.database },
      init({ config, expose }) {
        const greeter: Greeter = { greet: (name) => `${config.greeting}, ${name}` };
        expose(greeterRef, greeter);
        return { greeter };
      },
    },
    ...extra,
  });

describe('services stage', () => {
  it('builds services once before bot/http/start, types ctx.services, and hands exposed refs to dependants', async () => {
    const seen: string[] = [];
    let inits = 0;
    const consumer = definePlugin({
      id: 'consumer',
      version: '1.0.0',
      core: '^0.1.0',
      dependsOn: ['greeter'],
      services: {
        deps: { greeter: greeterRef, logger: coreServices.logger },
        init({ deps }) {
          inits += 1;
          return { welcome: (name: string) => deps.greeter.greet(name).toUpperCase() };
        },
      },
      bot({ services, composer }) {
        seen.push(`bot:${services.welcome('bot')}`);
        composer.on('message:text', (ctx) => ctx.reply(services.welcome(ctx.message.text)));
      },
      admin({ services, router }) {
        seen.push(`admin:${services.welcome('admin')}`);
        router.get('/welcome', (ctx) => {
          ctx.body = { text: services.welcome('api') };
        });
      },
      start({ services }) {
        seen.push(`start:${services.welcome('start')}`);
      },
    });
    const app = await startTestApp({ plugins: [consumer, greeterPlugin()] });
    try {
      expect(inits).toBe(1);
      expect(seen).toEqual(['bot:HELLO, BOT', 'admin:HELLO, ADMIN', 'start:HELLO, START']);
      const user = app.user('ann', { first_name: 'Ann' });
      await user.send('ann');
      expect((await user.expectReply()).text).toBe('HELLO, ANN');
      expect((await app.admin.get('/admin/api/consumer/welcome')).body).toEqual({ text: 'HELLO, API' });
      expect(app.app.services<{ welcome(n: string): string }>('consumer').welcome('x')).toBe('HELLO, X');
    } finally {
      await app.stop();
    }
  });

  it('gives job handlers ctx.services and derives jobs from the validated config', () => {
    const plugin = definePlugin({
      id: 'scheduler',
      version: '1.0.0',
      core: '^0.1.0',
      config: z.object({ cron: z.string().optional() }),
      services: { init: () => ({ count: 0 }) },
      jobs: (config) => [
        { name: 'tick', cron: config.cron, handler: async (_data, ctx) => void ctx.services.count },
      ],
    });
    const app = createApp({
      plugins: [plugin],
      config: { DATABASE_URL: db.url, KV_URL: 'memory://', plugins: { scheduler: { cron: '*/5 * * * *' } } },
      env: {},
      dotenv: false,
      sandbox: false,
      logger: quietLogger(),
    });
    expect(app.pluginInfo()[0]!.jobs).toEqual(['tick']);
  });

  it('resolves an optional dependency to undefined when its owner is not loaded', async () => {
    let got: unknown = 'unset';
    const consumer = definePlugin({
      id: 'consumer',
      version: '1.0.0',
      core: '^0.1.0',
      optionalDependsOn: ['greeter'],
      services: {
        deps: { greeter: optional(greeterRef) },
        init({ deps }) {
          got = deps.greeter;
          return {};
        },
      },
    });
    const app = boot([consumer]);
    try {
      await app.start();
      expect(got).toBeUndefined();
    } finally {
      await app.stop();
    }
  });
});

describe('optional core services', () => {
  it('gives undefined for the Telegram API of an app started without a bot', async () => {
    let got: unknown = 'unset';
    const consumer = definePlugin({
      id: 'consumer',
      version: '1.0.0',
      core: '^0.1.0',
      services: {
        deps: { telegram: optional(coreServices.telegram) },
        init({ deps }) {
          got = deps.telegram;
          return {};
        },
      },
    });
    const app = boot([consumer]);
    try {
      await app.start();
      expect(got).toBeUndefined();
    } finally {
      await app.stop();
    }
  });
});

describe('service wiring is checked before anything starts', () => {
  it('refuses a dependency on another plugin service without dependsOn, naming both plugins and the ref', () => {
    const consumer = definePlugin({
      id: 'consumer',
      version: '1.0.0',
      core: '^0.1.0',
      services: { deps: { greeter: greeterRef }, init: () => ({}) },
    });
    const problems = bootProblems(() => boot([greeterPlugin(), consumer]));
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'UNDECLARED_DEPENDENCY',
        plugin: 'consumer',
        message: expect.stringMatching(/"greeter\.greeter" of plugin "greeter".*dependsOn/),
      }),
    ]);
  });

  it('refuses a dependency on a ref its owner does not provide', () => {
    const hidden = createServiceRef<Greeter>({ id: 'greeter.hidden', owner: 'greeter' });
    const consumer = definePlugin({
      id: 'consumer',
      version: '1.0.0',
      core: '^0.1.0',
      dependsOn: ['greeter'],
      services: { deps: { hidden }, init: () => ({}) },
    });
    const problems = bootProblems(() => boot([greeterPlugin(), consumer]));
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'SERVICE_NOT_PROVIDED',
        plugin: 'consumer',
        message: expect.stringContaining(
          '"greeter.hidden", which plugin "greeter" does not list in provides',
        ),
      }),
    ]);
  });

  it('refuses resolving an undeclared plugin token by hand, at boot', async () => {
    const consumer = definePlugin({
      id: 'consumer',
      version: '1.0.0',
      core: '^0.1.0',
      services: { init: ({ resolve }) => ({ greeter: resolve(greeterRef.token) }) },
    });
    const app = boot([greeterPlugin(), consumer]);
    const err = await app.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BootError);
    expect((err as BootError).code).toBe('UNDECLARED_DEPENDENCY');
    expect((err as BootError).message).toMatch(/consumer.*"greeter\.greeter" of plugin "greeter"/);
  });

  it('fails the boot when a plugin lists a ref in provides but never exposes it', async () => {
    const lazy = greeterPlugin({ services: { init: () => ({}) } });
    const err = await boot([lazy])
      .start()
      .catch((e: unknown) => e);
    expect((err as BootError).code).toBe('SERVICE_NOT_PROVIDED');
    expect((err as BootError).message).toContain('"greeter.greeter"');
  });

  it('refuses providing a ref owned by another plugin', () => {
    const problems = bootProblems(() =>
      boot([definePlugin({ id: 'thief', version: '1.0.0', core: '^0.1.0', provides: [greeterRef] })]),
    );
    expect(problems[0]).toMatchObject({ code: 'INVALID_MANIFEST', plugin: 'thief' });
  });
});

describe('one error policy for every hook', () => {
  const failing = (hook: string): AnyPlugin => {
    const boom = () => {
      throw new Error(`${hook} exploded`);
    };
    const base: Record<string, unknown> = { id: 'fragile', version: '1.0.0', core: '^0.1.0' };
    if (hook === 'services') base.services = { init: boom };
    else base[hook] = boom;
    return base as unknown as AnyPlugin;
  };

  for (const hook of ['register', 'services', 'bot', 'admin', 'http', 'start'] as const) {
    it(`a throwing ${hook}() fails the boot with PLUGIN_FAILED naming the plugin, the hook and the cause`, async () => {
      const app = createApp({
        plugins: [failing(hook)],
        config: { DATABASE_URL: db.url, PORT: 0, HOST: '127.0.0.1', KV_URL: 'memory://' },
        env: {},
        dotenv: false,
        sandbox: async () => ({ token: '1:x', apiRoot: 'http://127.0.0.1:9', stop: async () => {} }),
        logger: quietLogger(),
      });
      const err = (await app.start().catch((e: unknown) => e)) as BootError;
      expect(err).toBeInstanceOf(BootError);
      expect(err.code).toBe('PLUGIN_FAILED');
      expect(problemsOf(err)).toEqual([
        { code: 'PLUGIN_FAILED', plugin: 'fragile', message: `${hook}() failed: ${hook} exploded` },
      ]);
      if (hook !== 'register') expect((err.cause as Error).message).toBe(`${hook} exploded`);
      expect(app.state).toBe('failed');
    });
  }

  it('a throwing stop() is logged and does not stop the other steps', async () => {
    const stopped: string[] = [];
    const app = boot([
      { ...failing('stop'), id: 'fragile' } as AnyPlugin,
      definePlugin({ id: 'other', version: '1.0.0', core: '^0.1.0', stop: () => void stopped.push('other') }),
    ]);
    await app.start();
    await app.stop();
    expect(stopped).toEqual(['other']);
    expect(app.state).toBe('stopped');
  });

  it('a throwing health() reports that plugin as not ok with the cause', async () => {
    const app = boot([failing('health')]);
    await app.start();
    try {
      expect(await app.health()).toEqual({ fragile: { ok: false, details: { error: 'health exploded' } } });
    } finally {
      await app.stop();
    }
  });
});
