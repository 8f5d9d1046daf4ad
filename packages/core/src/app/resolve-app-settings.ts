import path from 'node:path';
import type { CoreConfig } from '../config/core-config.js';
import { loadEnvSources } from '../config/env-sources.js';
import { resolveCoreConfig, resolvePluginConfig } from '../config/resolve-config.js';
import type { SettingRow } from '../config/settings.js';
import { unknownPluginEnvWarnings } from '../config/unknown-plugin-env.js';
import { type BootProblem, bootErrorFrom } from '../plugin/boot-problems.js';
import { loadPlugins } from '../plugin/loader.js';
import { serviceWiringProblems } from '../plugin/service-wiring.js';
import type { AnyPlugin } from '../plugin/types.js';
import { CORE_VERSION } from '../version.js';
import type { CreateAppOptions } from './app-types.js';

export interface AppSettings {
  config: CoreConfig;
  /** In load (dependency) order. */
  plugins: AnyPlugin[];
  pluginConfigs: Map<string, unknown>;
  settingRows: SettingRow[];
  dataDir: string;
  /** Boot warnings, e.g. a mistyped BOTLOOM_<PLUGIN>_<KEY> variable. */
  configWarnings: string[];
}

/**
 * Everything `createApp` checks before anything starts: manifests, the dependency graph, the
 * service wiring and every setting of core and plugins. Throws ONE BootError listing all problems.
 */
export function resolveAppSettings(options: CreateAppOptions): AppSettings {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const sources = loadEnvSources({ cwd, env: options.env, dotenv: options.dotenv });
  const problems: BootProblem[] = [];

  const core = resolveCoreConfig(sources, options.config ?? {});
  problems.push(...core.problems);
  const loaded = loadPlugins(options.plugins, { coreVersion: CORE_VERSION });
  problems.push(...loaded.problems);
  if (!loaded.problems.length) problems.push(...serviceWiringProblems(loaded.ordered));

  const pluginConfigs = new Map<string, unknown>();
  const settingRows: SettingRow[] = [...core.rows];
  const overrides = options.config?.plugins ?? {};
  for (const id of Object.keys(overrides)) {
    if (!options.plugins.some((p) => p?.id === id)) {
      problems.push({
        code: 'INVALID_CONFIG',
        plugin: id,
        message: 'settings are given for a plugin the app does not load',
      });
    }
  }
  for (const plugin of loaded.ordered) {
    const result = resolvePluginConfig(plugin, sources, overrides[plugin.id]);
    problems.push(...result.problems);
    settingRows.push(...result.rows);
    pluginConfigs.set(plugin.id, result.value);
  }
  if (core.value?.NODE_ENV === 'production' && !core.value.ENCRYPTION_KEY) {
    problems.push({
      code: 'INVALID_CONFIG',
      plugin: 'core',
      message: 'ENCRYPTION_KEY: required in production',
    });
  }
  if (problems.length) throw bootErrorFrom(problems);

  const config = core.value!;
  return {
    config,
    plugins: loaded.ordered,
    pluginConfigs,
    settingRows,
    dataDir: path.resolve(cwd, config.BOTLOOM_DATA_DIR),
    configWarnings: unknownPluginEnvWarnings(
      loaded.ordered,
      sources,
      core.rows.map((r) => r.name),
    ),
  };
}
