import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';

/** Where settings come from, before validation. */
export interface EnvSources {
  /** Values from the `.env` file (empty when there is none). */
  dotenv: Record<string, string>;
  /** The process environment (or the `env` passed to createApp). */
  env: Record<string, string | undefined>;
  /** Path of the `.env` file that was read, if any. */
  dotenvPath?: string;
}

export interface LoadEnvSourcesOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** `false` skips `.env`; a string is the file to read; default `<cwd>/.env`. */
  dotenv?: boolean | string;
}

/**
 * Reads `.env` without touching `process.env`: the app keeps both sources apart so the
 * environment can override the file and the settings table can say where a value came from.
 */
export function loadEnvSources(options: LoadEnvSourcesOptions): EnvSources {
  const env = options.env ?? process.env;
  if (options.dotenv === false) return { dotenv: {}, env };
  const file = path.resolve(options.cwd, typeof options.dotenv === 'string' ? options.dotenv : '.env');
  if (!existsSync(file)) return { dotenv: {}, env };
  return { dotenv: parse(readFileSync(file)), env, dotenvPath: file };
}

/** The first non-empty value among `names`: environment first, then `.env`. Empty strings count as unset. */
export function lookupEnv(
  sources: EnvSources,
  names: string[],
): { value: string; name: string; source: 'env' | '.env' } | undefined {
  for (const name of names) {
    const value = sources.env[name];
    if (value !== undefined && value !== '') return { value, name, source: 'env' };
  }
  for (const name of names) {
    const value = sources.dotenv[name];
    if (value !== undefined && value !== '') return { value, name, source: '.env' };
  }
  return undefined;
}
