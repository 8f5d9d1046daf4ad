import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppConfigInput } from '../config/resolve-config.js';
import { BotloomError } from '../errors/botloom-error.js';
import type { AnyPlugin } from '../plugin/types.js';

/** What `botloom.config.ts` / `botloom.config.js` exports by default. */
export interface BotloomConfig {
  /** The app's plugins (manifests from the plugins' factories). */
  plugins: AnyPlugin[];
  /** Settings in code, like `createApp({ config })`. */
  config?: AppConfigInput;
}

/** Typed helper for `botloom.config.ts`: `export default defineConfig({ plugins: [...] })`. */
export function defineConfig<T extends BotloomConfig | (() => BotloomConfig | Promise<BotloomConfig>)>(
  config: T,
): T {
  return config;
}

export const CONFIG_FILE_NAMES = [
  'botloom.config.ts',
  'botloom.config.mts',
  'botloom.config.js',
  'botloom.config.mjs',
];

export function findConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) throw new BotloomError('CONFIG_NOT_FOUND', `Config file not found: ${file}`);
    return file;
  }
  return CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((file) => existsSync(file));
}

/**
 * Imports the config module. TypeScript configs need a TypeScript loader: the CLI runs under
 * tsx in the monorepo; from an installed package, tsx is registered when it is installed.
 */
export async function loadConfigModule(file: string): Promise<BotloomConfig> {
  if (/\.m?ts$/.test(file)) await ensureTypeScriptLoader(file);
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  let value = mod.default;
  if (typeof value === 'function') value = await (value as () => unknown)();
  const plugins = (value as { plugins?: unknown } | undefined)?.plugins;
  if (!value || typeof value !== 'object' || !Array.isArray(plugins)) {
    throw new BotloomError(
      'INVALID_CONFIG_MODULE',
      `${file} must export default { plugins: [...] } (see "CLI" in @botloom/core's README)`,
    );
  }
  return value as BotloomConfig;
}

async function ensureTypeScriptLoader(file: string): Promise<void> {
  // Under tsx (or Node with type stripping) .ts imports already work.
  if (process.execArgv.some((a) => a.includes('tsx')) || process.env.BOTLOOM_TS_LOADER === '1') return;
  if (process.env.VITEST) return; // vitest transforms TypeScript itself
  try {
    const api = (await import('tsx/esm/api' as string)) as { register(): unknown };
    api.register();
  } catch {
    throw new BotloomError(
      'TS_LOADER_MISSING',
      `${path.basename(file)} is TypeScript: install tsx (npm i -D tsx) or use botloom.config.js`,
    );
  }
}
