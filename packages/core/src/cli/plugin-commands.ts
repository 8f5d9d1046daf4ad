import type { Command } from 'commander';
import type { App } from '../app/app-types.js';
import { invokeHook } from '../plugin/invoke-hook.js';
import type { CliIo } from './cli-io.js';
import { findConfigFile, loadConfigModule } from './config-module.js';

/** `-c FILE` / `--config FILE` / `--config=FILE` from raw argv (plugin commands are added before parsing). */
function configPathFromArgv(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-c' || arg === '--config') return argv[i + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

/**
 * Lets plugins of the app's config module add their commands (`<plugin>:<verb>`) through
 * their manifest's `cli` hook. Only runs when the first argument looks like a plugin command,
 * so core commands never depend on the config module loading.
 */
export async function registerPluginCommands(
  program: Command,
  argv: string[],
  cwd: string,
  io: CliIo,
  getApp: (configPath: string | undefined) => Promise<App>,
): Promise<void> {
  const commandName = argv.find((arg) => !arg.startsWith('-') && arg !== configPathFromArgv(argv));
  if (!commandName?.includes(':') || program.commands.some((c) => c.name() === commandName)) return;
  const configPath = configPathFromArgv(argv);
  const file = findConfigFile(cwd, configPath);
  if (!file) return;
  const mod = await loadConfigModule(file);
  for (const plugin of mod.plugins) {
    const cli = plugin.cli;
    if (cli) invokeHook(plugin.id, 'cli', () => cli({ program, io, getApp: () => getApp(configPath) }));
  }
}
