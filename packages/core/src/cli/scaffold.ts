import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { BotloomError } from '../errors/botloom-error.js';
import { RESERVED_IDS } from '../plugin/manifest-schema.js';
import { PLUGIN_ID_MAX_LENGTH, PLUGIN_ID_PATTERN } from '../plugin/plugin-id.js';
import { CORE_VERSION } from '../version.js';

export interface ScaffoldOptions {
  /** Plugin id: lowercase letters, digits and dashes (`hello`, `order-status`). */
  name: string;
  /** Where to look for the workspace root (the nearest package.json with `workspaces`). */
  cwd: string;
  /** Parent folder of the package; default `<workspace>/packages`. */
  parentDir?: string;
  /** npm name; default `@botloom/plugin-<name>` in the Botloom monorepo, else the plain id. */
  packageName?: string;
}

export interface ScaffoldResult {
  dir: string;
  packageName: string;
  /** Whether the package landed in an npm workspace (npm install links it there). */
  inWorkspace: boolean;
  /** Paths relative to `dir`. */
  files: string[];
}

/** The nearest folder at or above `from` whose package.json declares workspaces. */
export function findWorkspaceRoot(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { workspaces?: unknown }).workspaces) return dir;
      } catch {
        // not JSON: keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function coreDependencyRanges(
  names: string[],
  from: 'all' | 'peerDependencies' = 'all',
): Record<string, string> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    dependencies: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const ranges =
    from === 'all' ? { ...pkg.peerDependencies, ...pkg.dependencies } : { ...pkg.peerDependencies };
  return Object.fromEntries(names.map((n) => [n, ranges[n] ?? '*']));
}

/** The package whose `src/` (or deeper) contains `dir`, if any. */
function packageSourcesAbove(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    if (path.basename(current) === 'src' && existsSync(path.join(parent, 'package.json'))) return parent;
    current = parent;
  }
}

/** The Botloom repository itself (its packages keep the @botloom scope). */
function isBotloomMonorepo(root: string): boolean {
  try {
    const core = JSON.parse(readFileSync(path.join(root, 'packages', 'core', 'package.json'), 'utf8'));
    return (core as { name?: string }).name === '@botloom/core';
  } catch {
    return false;
  }
}

const toPosix = (p: string) => p.split(path.sep).join('/');

const camel = (id: string) => id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (id: string) => camel(id).replace(/^[a-z]/, (c) => c.toUpperCase());

/** Generates a working plugin package: manifest, /hello command, migration, service, locales, test, README. */
export async function scaffoldPlugin(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const id = options.name;
  if (!PLUGIN_ID_PATTERN.test(id) || id.length > PLUGIN_ID_MAX_LENGTH) {
    throw new BotloomError(
      'INVALID_PLUGIN_NAME',
      `"${id}" is not a valid plugin id: use lowercase letters, digits and single dashes, starting with a letter`,
    );
  }
  if (RESERVED_IDS.includes(id)) {
    throw new BotloomError('INVALID_PLUGIN_NAME', `"${id}" is reserved for core: choose another plugin id`);
  }
  const workspaceRoot = findWorkspaceRoot(options.cwd);
  const root = workspaceRoot ?? path.resolve(options.cwd);
  const parent = path.resolve(options.cwd, options.parentDir ?? path.join(root, 'packages'));
  const insideSources = packageSourcesAbove(parent);
  if (insideSources) {
    throw new BotloomError(
      'INVALID_PLUGIN_DIR',
      `${parent} is inside the sources of the package at ${insideSources}: run new-plugin from the project root`,
    );
  }
  const dir = path.join(parent, `plugin-${id}`);
  if (existsSync(dir)) throw new BotloomError('PLUGIN_EXISTS', `${dir} already exists`);
  const packageName = options.packageName ?? (isBotloomMonorepo(root) ? `@botloom/plugin-${id}` : id);
  const baseConfig = path.join(root, 'tsconfig.base.json');
  const coreDir = path.join(root, 'packages', 'core');
  const files = pluginFiles({
    id,
    packageName,
    coreRange: `^${semver.major(CORE_VERSION)}.${semver.minor(CORE_VERSION)}.0`,
    tsconfigBase: existsSync(baseConfig)
      ? path.relative(dir, baseConfig).split(path.sep).join('/')
      : undefined,
    dependencies: coreDependencyRanges(['grammy', 'sequelize', 'zod']),
    testScript: workspaceRoot
      ? `vitest run --root ${toPosix(path.relative(dir, workspaceRoot))} ${toPosix(path.relative(workspaceRoot, dir))}/`
      : 'vitest run',
    standalone: workspaceRoot === undefined,
    coreReference: existsSync(path.join(coreDir, 'tsconfig.json'))
      ? path.relative(dir, coreDir).split(path.sep).join('/')
      : undefined,
  });
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  return { dir, packageName, inWorkspace: workspaceRoot !== undefined, files: Object.keys(files) };
}

interface TemplateInput {
  id: string;
  packageName: string;
  coreRange: string;
  tsconfigBase?: string;
  coreReference?: string;
  /** `npm test`: the workspace's vitest filtered to this package, or plain vitest standalone. */
  testScript: string;
  /** Libraries the generated code imports, at core's ranges (one copy shared with core). */
  dependencies: Record<string, string>;
  /** Outside a workspace: the package gets its own vitest.config with core's test global setup. */
  standalone: boolean;
}

function pluginFiles(t: TemplateInput): Record<string, string> {
  const Name = pascal(t.id);
  const name = camel(t.id);
  const table = `${t.id.replace(/-/g, '_')}_greetings`;
  const envPrefix = `BOTLOOM_${t.id.replace(/-/g, '_').toUpperCase()}_`;
  const compilerOptions = t.tsconfigBase
    ? { rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/.tsbuildinfo' }
    : {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        declaration: true,
        skipLibCheck: true,
        rootDir: 'src',
        outDir: 'dist',
      };
  const tsconfig = {
    ...(t.tsconfigBase ? { extends: t.tsconfigBase } : {}),
    compilerOptions,
    include: ['src/**/*.ts'],
    ...(t.coreReference ? { references: [{ path: t.coreReference }] } : {}),
  };
  const pkg = {
    name: t.packageName,
    version: '0.1.0',
    description: `Botloom plugin "${t.id}".`,
    license: 'MIT',
    type: 'module',
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: {
      '.': { 'botloom-source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    files: ['dist', 'locales', 'README.md'],
    // A path filter, not --dir (which vitest resolves from the package, finding nothing).
    scripts: { build: 'tsc -b', test: t.testScript },
    dependencies: t.dependencies,
    peerDependencies: { '@botloom/core': t.coreRange },
    devDependencies: {
      '@botloom/core': t.coreRange,
      ...(t.standalone ? coreDependencyRanges(['vitest'], 'peerDependencies') : {}),
    },
    publishConfig: { access: 'public' },
  };

  return {
    ...(t.standalone ? { 'vitest.config.ts': STANDALONE_VITEST_CONFIG } : {}),
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'src/config.ts': `import { z } from 'zod';

/** Settings of the ${t.id} plugin: env ${envPrefix}<KEY>, .env, or the plugin's options. */
export const ${Name}Config = z.object({
  defaultName: z
    .string()
    .min(1)
    .max(64)
    .default('friend')
    .describe('How the bot calls a user without a first name (${envPrefix}DEFAULT_NAME)'),
});

export type ${Name}Config = z.output<typeof ${Name}Config>;
`,
    'src/migrations/0001-create-greetings.ts': `import { DataTypes } from 'sequelize';
import type { MigrationDefinition } from '@botloom/core';

export const GREETINGS_TABLE = '${table}';

/** How many times each Telegram user said hello. */
export const createGreetings: MigrationDefinition = {
  name: '0001-create-greetings',
  async up({ queryInterface, transaction }) {
    await queryInterface.createTable(
      GREETINGS_TABLE,
      {
        telegram_user_id: { type: DataTypes.BIGINT, primaryKey: true },
        count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        updated_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      },
      { transaction },
    );
  },
  async down({ queryInterface, transaction }) {
    await queryInterface.dropTable(GREETINGS_TABLE, { transaction });
  },
};
`,
    'src/services/greeting-service.ts': `import { QueryTypes, type Sequelize } from 'sequelize';
import { GREETINGS_TABLE } from '../migrations/0001-create-greetings.js';

/** Counts greetings per user. Knows nothing about Telegram: easy to test and reuse. */
export class GreetingService {
  constructor(private readonly sequelize: Sequelize) {}

  /** Records one greeting and returns how many this user has sent so far. */
  async recordGreeting(telegramUserId: number): Promise<number> {
    const rows = await this.sequelize.query<{ count: number }>(
      \`INSERT INTO \${GREETINGS_TABLE} (telegram_user_id, count, updated_at) VALUES (:id, 1, now())
       ON CONFLICT (telegram_user_id) DO UPDATE SET count = \${GREETINGS_TABLE}.count + 1, updated_at = now()
       RETURNING count\`,
      { replacements: { id: telegramUserId }, type: QueryTypes.SELECT },
    );
    return Number(rows[0]!.count);
  }

  async greetingsOf(telegramUserId: number): Promise<number> {
    const rows = await this.sequelize.query<{ count: number }>(
      \`SELECT count FROM \${GREETINGS_TABLE} WHERE telegram_user_id = :id\`,
      { replacements: { id: telegramUserId }, type: QueryTypes.SELECT },
    );
    return rows[0] ? Number(rows[0].count) : 0;
  }
}
`,
    'src/tokens.ts': `import { createServiceRef } from '@botloom/core';
import type { GreetingService } from './services/greeting-service.js';

/** The greeting service, for plugins that list '${t.id}' in \`dependsOn\` and this ref in \`services.deps\`. */
export const greetingServiceRef = createServiceRef<GreetingService>({ id: '${t.id}.greetings', owner: '${t.id}' });

/** The same services as raw DI tokens, for \`resolve()\` (tests, the CLI). */
export const ${Name}Tokens = {
  GreetingService: greetingServiceRef.token,
};
`,
    'src/bot/hello-command.ts': `import type { BotContext } from '@botloom/core';
import type { Composer } from 'grammy';
import type { ${Name}Config } from '../config.js';
import type { GreetingService } from '../services/greeting-service.js';

/** /hello: greets the user and says how many times they did it. */
export function setupHelloCommand(
  composer: Composer<BotContext>,
  greetings: GreetingService,
  config: ${Name}Config,
): void {
  composer.command('hello', async (ctx) => {
    if (!ctx.from) return;
    const count = await greetings.recordGreeting(ctx.from.id);
    await ctx.reply(ctx.t('${t.id}-hello', { name: ctx.from.first_name || config.defaultName, count }));
  });
}
`,
    'src/index.ts': `import { fileURLToPath } from 'node:url';
import { coreServices, definePlugin } from '@botloom/core';
import { setupHelloCommand } from './bot/hello-command.js';
import { ${Name}Config } from './config.js';
import { createGreetings } from './migrations/0001-create-greetings.js';
import { GreetingService } from './services/greeting-service.js';
import { greetingServiceRef } from './tokens.js';

export { ${Name}Config } from './config.js';
export { GreetingService } from './services/greeting-service.js';
export { greetingServiceRef, ${Name}Tokens } from './tokens.js';

export type ${Name}Options = Partial<${Name}Config>;

/** The ${t.id} plugin. Add it to an app: \`createApp({ plugins: [${name}Plugin()] })\`. */
export default function ${name}Plugin(options: ${Name}Options = {}) {
  return definePlugin({
    id: '${t.id}',
    version: '0.1.0',
    core: '${t.coreRange}',
    dependsOn: [],
    config: ${Name}Config,
    options,
    locales: fileURLToPath(new URL('../locales', import.meta.url)),
    migrations: [createGreetings],
    commands: [
      { command: 'hello', description: { en: 'Say hello', ru: 'Поздороваться' } },
    ],
    provides: [greetingServiceRef],
    // Built once after migrations; the return value is \`ctx.services\` in every hook below.
    services: {
      deps: { database: coreServices.database },
      init({ deps, expose }) {
        const greetings = new GreetingService(deps.database);
        expose(greetingServiceRef, greetings);
        return { greetings, database: deps.database };
      },
    },
    bot({ composer, services, config }) {
      setupHelloCommand(composer, services.greetings, config);
    },
    async health({ services }) {
      await services.database.query('SELECT 1');
      return { ok: true };
    },
  });
}
`,
    'locales/en.ftl': `${t.id}-hello = Hello, { $name }! You have said hello { $count ->
    [one] once
   *[other] { $count } times
}.
`,
    'locales/ru.ftl': `${t.id}-hello = Привет, { $name }! Вы поздоровались { $count ->
    [one] { $count } раз
    [few] { $count } раза
   *[many] { $count } раз
}.
`,
    [`test/${t.id}.test.ts`]: scaffoldTest(t, Name, name),
    'README.md': `# ${t.packageName}

A Botloom plugin generated by \`botloom new-plugin ${t.id}\`. It answers \`/hello\` and counts
greetings per user in the \`${table}\` table.

## Install

\`\`\`ts
import { createApp } from '@botloom/core';
import ${name}Plugin from '${t.packageName}';

const app = createApp({ plugins: [${name}Plugin({ defaultName: 'friend' })] });
await app.start();
\`\`\`

## Settings

| setting | env | default | description |
|---|---|---|---|
| defaultName | \`${envPrefix}DEFAULT_NAME\` | \`friend\` | How the bot calls a user without a first name |

## Commands

| command | what |
|---|---|
| /hello | greets the user and says how many times they said hello |

## Services

\`greetingServiceRef\` (list \`'${t.id}'\` in \`dependsOn\` and the ref in \`services.deps\`):
\`recordGreeting(telegramUserId)\`, \`greetingsOf(telegramUserId)\`.

## Tests

\`npm test\` in this folder.
`,
  };
}

/** The one line an integrator adds (core README, "Testing your plugin"): a PostgreSQL for the run. */
const STANDALONE_VITEST_CONFIG = `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@botloom/core/testing/global-setup'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
`;

function scaffoldTest(t: TemplateInput, Name: string, name: string): string {
  return `import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ${name}Plugin, { ${Name}Tokens } from '../src/index.js';

// End to end through the sandbox: a real app, a fresh PostgreSQL database, the Bot API
// emulator, and people who talk to the bot.
describe('${t.id} plugin', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ plugins: [${name}Plugin({ defaultName: 'friend' })] });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('answers /hello and counts greetings per user', async () => {
    const alice = t.user('alice', { first_name: 'Alice', language_code: 'en' });
    await alice.send('/hello');
    await alice.expectReply(/Hello, Alice! You have said hello once\\./);
    await alice.send('/hello');
    await alice.expectReply(/You have said hello 2 times/);
  });

  it('speaks Russian to Russian-speaking users', async () => {
    const boris = t.user('boris', { first_name: 'Борис', language_code: 'ru' });
    await boris.send('/hello');
    await boris.expectReply(/Привет, Борис! Вы поздоровались 1 раз/);
  });

  it('keeps the counts in its own table, through its service', async () => {
    const greetings = t.app.resolver('${t.id}')(${Name}Tokens.GreetingService);
    expect(await greetings.greetingsOf(await t.user('alice').id())).toBe(2);
    expect(await greetings.greetingsOf(424242)).toBe(0);
  });

  it('reports healthy in the admin API', async () => {
    const res = await t.viewer.get('/admin/api/core/plugins');
    expect(res.status).toBe(200);
    expect(res.body.find((p: { id: string }) => p.id === '${t.id}')?.health).toEqual({ ok: true });
  });
});
`;
}
