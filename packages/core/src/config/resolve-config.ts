import type { ZodError, ZodTypeAny, z } from 'zod';
import type { BootProblem } from '../plugin/boot-problems.js';
import type { AnyPlugin } from '../plugin/types.js';
import { type CoreConfig, CoreConfigSchema } from './core-config.js';
import { type EnvSources, lookupEnv } from './env-sources.js';
import {
  coerceEnvValue,
  defaultOf,
  describeSchema,
  objectShape,
  pluginEnvName,
} from './schema-introspection.js';
import { CORE_SETTING_DESCRIPTIONS_RU } from './setting-descriptions-ru.js';
import { isSecretSetting, maskValue, type SettingRow } from './settings.js';

function descriptionsOf(en: string | undefined, ru: string | undefined): SettingRow['descriptions'] {
  return en === undefined ? undefined : { en, ...(ru ? { ru } : {}) };
}

/**
 * Settings given in code to `createApp({ config })`: core settings by their env names, plugin
 * settings under `plugins.<id>` by their schema keys. They override everything else.
 */
export type AppConfigInput = Partial<z.input<typeof CoreConfigSchema>> & {
  plugins?: Record<string, Record<string, unknown>>;
};

export interface ConfigResult<T> {
  value?: T;
  rows: SettingRow[];
  problems: BootProblem[];
}

function issuesToProblems(
  owner: string,
  error: ZodError,
  envNames: (key: string) => string[],
): BootProblem[] {
  return error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const names = key ? envNames(key) : [];
    const where = issue.path.length ? issue.path.join('.') : '(settings)';
    const env = names.length ? ` (${names.join(' or ')})` : '';
    return { code: 'INVALID_CONFIG', plugin: owner, message: `${where}${env}: ${issue.message}` };
  });
}

/** Core settings: createApp config > environment > .env > defaults. Env names are the keys. */
export function resolveCoreConfig(
  sources: EnvSources,
  overrides: AppConfigInput = {},
): ConfigResult<CoreConfig> {
  const shape = CoreConfigSchema.shape as Record<string, ZodTypeAny>;
  const input: Record<string, unknown> = {};
  const origin: Record<string, SettingRow['source']> = {};
  for (const key of Object.keys(shape)) {
    const override = (overrides as Record<string, unknown>)[key];
    if (override !== undefined) {
      input[key] = override;
      origin[key] = 'config';
      continue;
    }
    const found = lookupEnv(sources, [key]);
    if (found) {
      input[key] = found.value;
      origin[key] = found.source;
    }
  }
  const parsed = CoreConfigSchema.safeParse(input);
  const problems = parsed.success ? [] : issuesToProblems('core', parsed.error, (k) => [k]);
  const unknownKeys = Object.keys(overrides).filter((k) => k !== 'plugins' && !(k in shape));
  for (const key of unknownKeys) {
    problems.push({ code: 'INVALID_CONFIG', plugin: 'core', message: `${key}: unknown core setting` });
  }
  const rows = Object.entries(shape).map(([key, field]): SettingRow => {
    const description = describeSchema(field);
    const secret = isSecretSetting(description);
    const value = parsed.success ? (parsed.data as Record<string, unknown>)[key] : input[key];
    return {
      owner: 'core',
      name: key,
      env: [key],
      value: maskValue(value, secret),
      default: defaultOf(field),
      description,
      descriptions: descriptionsOf(description, CORE_SETTING_DESCRIPTIONS_RU[key as keyof CoreConfig]),
      secret,
      source: origin[key] ?? (value === undefined ? 'unset' : 'default'),
    };
  });
  return { value: parsed.success ? parsed.data : undefined, rows, problems };
}

/** The environment names of each setting of a plugin: `BOTLOOM_<ID>_<KEY>` then the manifest's aliases. */
export function pluginEnvNames(plugin: Pick<AnyPlugin, 'id' | 'env'>, key: string): string[] {
  return [pluginEnvName(plugin.id, key), ...(plugin.env?.[key] ?? [])];
}

/**
 * A plugin's settings: createApp config > environment > .env > the plugin's `options` >
 * schema defaults, validated by the plugin's zod schema. Environment strings are converted
 * to numbers/booleans/arrays when the schema expects them.
 */
export function resolvePluginConfig(
  plugin: AnyPlugin,
  sources: EnvSources,
  overrides: Record<string, unknown> = {},
): ConfigResult<unknown> {
  if (!plugin.config) {
    const problems: BootProblem[] = Object.keys(overrides).map((key) => ({
      code: 'INVALID_CONFIG',
      plugin: plugin.id,
      message: `${key}: the plugin has no settings`,
    }));
    return { value: {}, rows: [], problems };
  }
  const schema = plugin.config;
  const shape = (objectShape(schema) ?? {}) as Record<string, ZodTypeAny>;
  const input: Record<string, unknown> = {};
  const origin: Record<string, SettingRow['source']> = {};
  const options = (plugin.options ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    input[key] = value;
    origin[key] = 'options';
  }
  for (const [key, field] of Object.entries(shape)) {
    const found = lookupEnv(sources, pluginEnvNames(plugin, key));
    if (found) {
      input[key] = coerceEnvValue(field, found.value);
      origin[key] = found.source;
    }
  }
  const problems: BootProblem[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in shape)) {
      problems.push({ code: 'INVALID_CONFIG', plugin: plugin.id, message: `${key}: unknown setting` });
      continue;
    }
    if (value === undefined) continue;
    input[key] = value;
    origin[key] = 'config';
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    problems.push(...issuesToProblems(plugin.id, parsed.error, (k) => pluginEnvNames(plugin, k)));
  const rows = Object.entries(shape).map(([key, field]): SettingRow => {
    const description = describeSchema(field);
    const secret = isSecretSetting(description);
    const value = parsed.success ? (parsed.data as Record<string, unknown>)[key] : input[key];
    return {
      owner: plugin.id,
      name: key,
      env: pluginEnvNames(plugin, key),
      value: maskValue(value, secret),
      default: defaultOf(field),
      description,
      descriptions: descriptionsOf(description, plugin.settingDescriptions?.ru?.[key]),
      secret,
      source: origin[key] ?? (value === undefined ? 'unset' : 'default'),
    };
  });
  return { value: parsed.success ? parsed.data : undefined, rows, problems };
}
