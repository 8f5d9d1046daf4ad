import type { AnyPlugin } from '../plugin/types.js';
import type { EnvSources } from './env-sources.js';
import { objectShape, pluginEnvName } from './schema-introspection.js';

/** Edit distance (insert, delete, substitute), for "did you mean" hints. */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Warnings for `BOTLOOM_<PLUGIN>_*` variables (environment or `.env`) that no setting of that
 * loaded plugin reads: a mistyped name would otherwise be silently ignored. Each names the
 * closest real variable. `knownNames` are names read elsewhere (core settings).
 */
export function unknownPluginEnvWarnings(
  plugins: Array<Pick<AnyPlugin, 'id' | 'config'>>,
  sources: EnvSources,
  knownNames: Iterable<string> = [],
): string[] {
  const prefixes = plugins.map((p) => ({ plugin: p, prefix: pluginEnvName(p.id, '').replace(/_*$/, '_') }));
  const known = new Set(knownNames);
  const names = new Map<string, string[]>();
  for (const { plugin } of prefixes) {
    const keys = Object.keys((plugin.config && objectShape(plugin.config as never)) ?? {});
    const envNames = keys.map((k) => pluginEnvName(plugin.id, k));
    names.set(plugin.id, envNames);
    for (const n of envNames) known.add(n);
  }
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const variable of [...Object.keys(sources.env), ...Object.keys(sources.dotenv)]) {
    if (seen.has(variable) || known.has(variable)) continue;
    seen.add(variable);
    // The longest matching prefix wins: BOTLOOM_SUPPORT_X_ belongs to plugin "support-x".
    const owner = prefixes
      .filter((p) => variable.startsWith(p.prefix))
      .sort((a, b) => b.prefix.length - a.prefix.length)[0];
    if (!owner) continue;
    const candidates = names.get(owner.plugin.id) ?? [];
    const closest = candidates
      .map((name) => ({ name, distance: levenshtein(variable, name) }))
      .sort((a, b) => a.distance - b.distance)[0];
    const hint = closest ? `; did you mean ${closest.name}?` : '; the plugin has no settings';
    warnings.push(`${variable} is not a setting of plugin "${owner.plugin.id}" and is ignored${hint}`);
  }
  return warnings;
}
