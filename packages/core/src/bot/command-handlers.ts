import { Composer } from 'grammy';
import { BootError } from '../errors/botloom-error.js';

/**
 * Runs `register` (a plugin's synchronous bot setup) and returns the commands it registered
 * with `.command(...)` on its composer or any composer derived from it (`chatType`, `filter`...).
 */
export function commandsRegisteredBy(register: () => void): string[] {
  const seen: string[] = [];
  const original = Composer.prototype.command;
  Composer.prototype.command = function (this: Composer<any>, command: unknown, ...middleware: unknown[]) {
    for (const c of Array.isArray(command) ? command : [command]) {
      if (typeof c === 'string') seen.push(c.replace(/^\//, '').toLowerCase());
    }
    return (original as (...args: unknown[]) => unknown).call(this, command, ...middleware);
  } as typeof original;
  try {
    register();
  } finally {
    Composer.prototype.command = original;
  }
  return seen;
}

/**
 * A plugin that handles a command another plugin declared would be taking it over (core routes
 * it to the declaring plugin only, so the handler would silently never run): a boot error
 * naming both, for every such command at once.
 */
export function assertNoCommandTakeover(
  registered: Array<{ pluginId: string; commands: string[] }>,
  declared: Array<{ pluginId: string; commands: string[] }>,
): void {
  const owner = new Map<string, string>();
  for (const d of declared) for (const c of d.commands) owner.set(c.toLowerCase(), d.pluginId);
  const problems = new Set<string>();
  for (const r of registered) {
    for (const command of r.commands) {
      const declaredBy = owner.get(command);
      if (declaredBy && declaredBy !== r.pluginId) {
        problems.add(
          `plugin "${r.pluginId}" handles /${command}, which plugin "${declaredBy}" declares: declare your own command, or use "${declaredBy}"'s service`,
        );
      }
    }
  }
  if (problems.size) {
    throw new BootError('COMMAND_TAKEOVER', [...problems].join('; '), {
      details: { problems: [...problems] },
    });
  }
}
