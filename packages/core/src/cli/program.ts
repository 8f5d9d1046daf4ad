import { Command, CommanderError, Option } from 'commander';
import type { Logger } from 'pino';
import { type App, type CreateAppOptions, createApp } from '../app/create-app.js';
import { formatSettingsTable } from '../config/settings.js';
import { BootError, BotloomError } from '../errors/botloom-error.js';
import { isAdminRole } from '../http/admin-tokens.js';
import { generatePassword } from '../http/admin-users.js';
import { createLogger } from '../logger/logger.js';
import { problemsOf } from '../plugin/boot-problems.js';
import { CORE_VERSION } from '../version.js';
import { type CliIo, processIo } from './cli-io.js';
import { findConfigFile, loadConfigModule } from './config-module.js';
import { registerPluginCommands } from './plugin-commands.js';
import { scaffoldPlugin } from './scaffold.js';

export interface RunCliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  io?: CliIo;
  /** Logger for commands other than `start` (default: warnings and errors only). */
  logger?: Logger;
  /** Standard input for `--password-stdin` (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** `start`: resolves when the app is ready instead of waiting for a signal (tests). */
  onStarted?(app: App): void;
}

async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/**
 * Runs the `botloom` CLI with `argv` (without node and script) and resolves to the exit code.
 * `start` resolves once the app is ready; the process then lives until a signal stops it.
 */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const cwd = options.cwd ?? process.cwd();
  let exitCode = 0;

  const quietLogger = () => options.logger ?? createLogger({ level: 'warn' });

  const buildApp = async (
    configPath: string | undefined,
    extra: Partial<CreateAppOptions> = {},
  ): Promise<App> => {
    const file = findConfigFile(cwd, configPath);
    const mod = file ? await loadConfigModule(file) : { plugins: [] };
    if (!file) io.err('No botloom.config.ts/.js in this folder: running core without plugins');
    return createApp({ plugins: mod.plugins, config: mod.config, env: options.env, cwd, ...extra });
  };

  const withMaintenance = async <T>(
    configPath: string | undefined,
    fn: (m: Awaited<ReturnType<App['openMaintenance']>>) => Promise<T>,
  ) => {
    const app = await buildApp(configPath, { logger: quietLogger() });
    const maintenance = await app.openMaintenance();
    try {
      return await fn(maintenance);
    } finally {
      await maintenance.close();
    }
  };

  const program = new Command('botloom')
    .description('Botloom: run and manage a bot built from plugins')
    .version(CORE_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addOption(
      new Option('-c, --config <path>', 'config module (default: botloom.config.ts or .js in this folder)'),
    );

  const configPath = () => program.opts<{ config?: string }>().config;

  program
    .command('start')
    .description('start the app: database, migrations, plugins, bot and HTTP server')
    .action(async () => {
      const app = await buildApp(configPath(), { handleSignals: !options.onStarted });
      await app.start();
      io.out(`Botloom is running: HTTP ${app.url}`);
      for (const [name, url] of Object.entries(app.sandbox?.urls ?? {})) io.out(`  ${name}: ${url}`);
      options.onStarted?.(app);
    });

  program
    .command('migrate')
    .description('run pending migrations of core and every plugin')
    .option('--dry-run', 'only list pending migrations')
    .action(async (opts: { dryRun?: boolean }) => {
      await withMaintenance(configPath(), async ({ migrator }) => {
        if (opts.dryRun) {
          const pending = await migrator.pending();
          io.out(
            pending.length
              ? `Pending migrations:\n${pending.map((n) => `  ${n}`).join('\n')}`
              : 'No pending migrations',
          );
          return;
        }
        const executed = await migrator.up();
        io.out(
          executed.length ? `Applied:\n${executed.map((n) => `  ${n}`).join('\n')}` : 'No pending migrations',
        );
      });
    });

  program
    .command('migrate:down')
    .description("revert a plugin's migrations: the last one, or down to (and including) --to")
    .requiredOption('--plugin <id>', 'plugin id (or core)')
    .option('--to <name>', 'revert down to and including this migration')
    .action(async (opts: { plugin: string; to?: string }) => {
      await withMaintenance(configPath(), async ({ migrator }) => {
        const reverted = await migrator.down({ plugin: opts.plugin, to: opts.to });
        io.out(
          reverted.length ? `Reverted:\n${reverted.map((n) => `  ${n}`).join('\n')}` : 'Nothing to revert',
        );
      });
    });

  program
    .command('config:check')
    .description('validate every setting; print all errors, or the settings table (secrets masked)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const app = await buildApp(configPath(), { logger: quietLogger() });
      const rows = app.settings();
      io.out(opts.json ? JSON.stringify(rows, null, 2) : formatSettingsTable(rows));
    });

  const adminToken = program.command('admin:token').description('manage admin API bearer tokens');
  adminToken
    .command('create')
    .description('create a token (printed once; only its hash is stored)')
    .requiredOption('--name <name>', 'who or what uses it')
    .addOption(new Option('--role <role>', 'admin or viewer').choices(['admin', 'viewer']).default('admin'))
    .action(async (opts: { name: string; role: string }) => {
      if (!isAdminRole(opts.role)) throw new BotloomError('INVALID_ROLE', 'role must be admin or viewer');
      const role = opts.role;
      await withMaintenance(configPath(), async ({ migrator, adminTokens }) => {
        await migrator.up();
        const created = await adminTokens.create({ name: opts.name, role });
        io.out(
          `Created ${created.role} token "${created.name}" (id ${created.id}). Store it now, it is not shown again:`,
        );
        io.out(created.token);
      });
    });
  adminToken
    .command('list')
    .description('list tokens (never their values)')
    .action(async () => {
      await withMaintenance(configPath(), async ({ adminTokens }) => {
        const tokens = await adminTokens.list();
        if (!tokens.length) io.out('No admin tokens');
        for (const t of tokens) {
          const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active';
          io.out(`${t.id}  ${t.role.padEnd(6)}  ${state.padEnd(10)}  ${t.name}`);
        }
      });
    });
  adminToken
    .command('revoke')
    .description('revoke a token by id')
    .argument('<id>')
    .action(async (id: string) => {
      await withMaintenance(configPath(), async ({ adminTokens }) => {
        if (await adminTokens.revoke(id)) io.out(`Revoked ${id}`);
        else {
          io.err(`No active token with id ${id}`);
          exitCode = 1;
        }
      });
    });

  const adminUser = program.command('admin:user').description('manage people who sign in to the admin panel');
  adminUser
    .command('create')
    .description('create a panel user; the password is read from stdin, or generated and printed once')
    .requiredOption('--username <name>', 'sign-in name (lowercase letters, digits, . _ - @)')
    .addOption(new Option('--role <role>', 'admin or viewer').choices(['admin', 'viewer']).default('admin'))
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { username: string; role: string; passwordStdin?: boolean }) => {
      if (!isAdminRole(opts.role)) throw new BotloomError('INVALID_ROLE', 'role must be admin or viewer');
      const role = opts.role;
      const typed = opts.passwordStdin ? (await readStdin(options.stdin)).replace(/\r?\n$/, '') : undefined;
      const password = typed ?? generatePassword();
      await withMaintenance(configPath(), async ({ migrator, adminUsers }) => {
        await migrator.up();
        const user = await adminUsers.create({ username: opts.username, password, role });
        io.out(`Created ${user.role} "${user.username}" (id ${user.id}) for the admin panel at /admin/`);
        if (!typed) io.out(`Password (shown once): ${password}`);
      });
    });
  adminUser
    .command('list')
    .description('list panel users')
    .action(async () => {
      await withMaintenance(configPath(), async ({ adminUsers }) => {
        const users = await adminUsers.list();
        if (!users.length) io.out('No admin users');
        for (const u of users) io.out(`${u.id}  ${u.role.padEnd(6)}  ${u.username}`);
      });
    });

  program
    .command('plugins')
    .description('list the plugins of the app in load order')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const app = await buildApp(configPath(), { logger: quietLogger() });
      const info = app.pluginInfo();
      if (opts.json) {
        io.out(JSON.stringify(info, null, 2));
        return;
      }
      if (!info.length) io.out('No plugins');
      for (const p of info) {
        const deps = p.dependsOn.length ? ` (depends on ${p.dependsOn.join(', ')})` : '';
        io.out(`${p.id}@${p.version}${deps}`);
        if (p.commands.length) io.out(`  commands: ${p.commands.map((c) => `/${c}`).join(' ')}`);
        if (p.migrations.length) io.out(`  migrations: ${p.migrations.join(', ')}`);
        if (p.jobs.length) io.out(`  jobs: ${p.jobs.join(', ')}`);
        if (p.events.length) io.out(`  events: ${p.events.join(', ')}`);
      }
    });

  program
    .command('new-plugin')
    .description('generate a plugin package (packages/plugin-NAME in the workspace) with a passing test')
    .argument('<name>', 'plugin id: lowercase letters, digits and dashes')
    .option('--dir <dir>', 'parent folder of the new package (default: <workspace>/packages)')
    .option(
      '--package-name <name>',
      'npm package name (default: the plugin id; @botloom/plugin-NAME in Botloom itself)',
    )
    .action(async (name: string, opts: { dir?: string; packageName?: string }) => {
      const result = await scaffoldPlugin({ name, cwd, parentDir: opts.dir, packageName: opts.packageName });
      io.out(`Created ${result.packageName} in ${result.dir}`);
      for (const file of result.files) io.out(`  ${file}`);
      io.out(
        result.inWorkspace
          ? 'Next: npm install at the workspace root (links the new package), then add the plugin to your botloom.config.ts'
          : `Next: cd ${result.dir} && npm install, then add the plugin to your botloom.config.ts`,
      );
    });

  try {
    await registerPluginCommands(program, argv, cwd, io, (file) => buildApp(file, { logger: quietLogger() }));
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof BootError && problemsOf(err)) {
      io.err(err.message);
      return 1;
    }
    if (err instanceof BotloomError) {
      io.err(`error [${err.code}]: ${err.message}`);
      return 1;
    }
    io.err(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return 1;
  }
}
