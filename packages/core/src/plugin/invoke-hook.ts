import { BootError, BotloomError } from '../errors/botloom-error.js';
import { type BootProblem, bootErrorFrom, problemsOf } from './boot-problems.js';

export type PluginHook =
  | 'register'
  | 'services'
  | 'bot'
  | 'admin'
  | 'http'
  | 'jobs'
  | 'start'
  | 'stop'
  | 'health'
  | 'cli';

/**
 * The one way core calls a plugin's hook. A throw becomes a BootError `PLUGIN_FAILED` (or the
 * BotloomError's own code) naming the plugin and the hook, with the cause kept; an error that
 * already carries a problem list keeps it.
 */
export function invokeHook<T>(pluginId: string, hook: PluginHook, fn: () => T): T {
  let result: T;
  try {
    result = fn();
  } catch (error) {
    throw hookError(pluginId, hook, error);
  }
  if (result instanceof Promise) {
    return result.catch((error: unknown) => {
      throw hookError(pluginId, hook, error);
    }) as T;
  }
  return result;
}

export function hookProblem(pluginId: string, hook: PluginHook, error: unknown): BootProblem {
  return {
    code: error instanceof BotloomError && !(error instanceof BootError) ? error.code : 'PLUGIN_FAILED',
    plugin: pluginId,
    message: `${hook}() failed: ${error instanceof Error ? error.message : String(error)}`,
  };
}

function hookError(pluginId: string, hook: PluginHook, error: unknown): BootError {
  if (problemsOf(error)) return error as BootError;
  if (error instanceof BootError) {
    const problem = { code: error.code, plugin: pluginId, message: `${hook}() failed: ${error.message}` };
    return withCause(bootErrorFrom([problem]), error, pluginId, hook);
  }
  return withCause(bootErrorFrom([hookProblem(pluginId, hook, error)]), error, pluginId, hook);
}

function withCause(error: BootError, cause: unknown, plugin: string, hook: PluginHook): BootError {
  const problems = problemsOf(error) ?? [];
  return new BootError(error.code, error.message, { cause, details: { problems, plugin, hook } });
}
