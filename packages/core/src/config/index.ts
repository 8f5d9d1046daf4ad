export { type CoreConfig, CoreConfigSchema } from './core-config.js';
export { type EnvSources, loadEnvSources, lookupEnv } from './env-sources.js';
export {
  type AppConfigInput,
  type ConfigResult,
  pluginEnvNames,
  resolveCoreConfig,
  resolvePluginConfig,
} from './resolve-config.js';
export { pluginEnvName, toUpperSnake } from './schema-introspection.js';
export { SECRET_MARKER, secret } from './secret.js';
export { formatSettingsTable, isSecretSetting, maskValue, type SettingRow } from './settings.js';
