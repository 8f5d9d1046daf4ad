import semver from 'semver';
import { type BootProblem, bootErrorFrom } from './boot-problems.js';
import { deepLinkCovers } from './deep-links.js';
import { PluginManifestSchema } from './manifest-schema.js';
import type { AnyPlugin } from './types.js';

/** Commands core itself handles; plugins cannot declare them. */
export const CORE_COMMANDS = ['start', 'help', 'language', 'cancel', 'delete_my_data'];

export interface LoadPluginsOptions {
  /** Version of @botloom/core the plugins are checked against. */
  coreVersion: string;
  /** Commands owned by core (default CORE_COMMANDS). */
  coreCommands?: string[];
}

export interface LoadResult {
  /** Valid plugins in load order: every plugin after the plugins it depends on. */
  ordered: AnyPlugin[];
  problems: BootProblem[];
}

function describeValue(value: unknown, index: number): string {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? id : `plugins[${index}]`;
}

/**
 * Validates every manifest and the dependency graph, and orders plugins by `dependsOn`
 * (array order only breaks ties). Collects every problem instead of stopping at the first.
 */
export function loadPlugins(plugins: readonly unknown[], options: LoadPluginsOptions): LoadResult {
  const problems: BootProblem[] = [];
  const valid: AnyPlugin[] = [];

  plugins.forEach((candidate, index) => {
    const label = describeValue(candidate, index);
    if (typeof candidate !== 'object' || candidate === null) {
      problems.push({
        code: 'INVALID_MANIFEST',
        plugin: label,
        message: 'is not a plugin manifest (did you forget to call the plugin factory, e.g. memoryPlugin()?)',
      });
      return;
    }
    const parsed = PluginManifestSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const where = issue.path.length ? issue.path.join('.') : 'manifest';
        problems.push({ code: 'INVALID_MANIFEST', plugin: label, message: `${where}: ${issue.message}` });
      }
      return;
    }
    valid.push(candidate as AnyPlugin);
  });

  // Duplicate ids: every plugin with a clashing id is excluded from the graph checks.
  const byId = new Map<string, AnyPlugin[]>();
  for (const plugin of valid) byId.set(plugin.id, [...(byId.get(plugin.id) ?? []), plugin]);
  for (const [id, list] of byId) {
    if (list.length > 1) {
      problems.push({
        code: 'DUPLICATE_PLUGIN',
        plugin: id,
        message: `plugin id "${id}" is registered ${list.length} times (versions ${list.map((p) => p.version).join(', ')})`,
      });
    }
  }
  const unique = valid.filter((p) => byId.get(p.id)!.length === 1);
  const known = new Map(unique.map((p) => [p.id, p]));
  const allIds = new Set(valid.map((p) => p.id));

  for (const plugin of unique) {
    if (!semver.satisfies(options.coreVersion, plugin.core, { includePrerelease: true })) {
      problems.push({
        code: 'INCOMPATIBLE_CORE',
        plugin: plugin.id,
        message: `requires @botloom/core ${plugin.core}, but this is ${options.coreVersion}`,
      });
    }
  }

  problems.push(...missingDependencyProblems(unique, allIds));
  problems.push(...cycleProblems(unique, known));
  problems.push(...duplicateCommandProblems(unique, options.coreCommands ?? CORE_COMMANDS));
  problems.push(...duplicateDeepLinkProblems(unique));

  return { ordered: topologicalOrder(unique, known), problems };
}

/** Like loadPlugins, but throws one BootError listing every problem. */
export function loadPluginsOrThrow(plugins: readonly unknown[], options: LoadPluginsOptions): AnyPlugin[] {
  const result = loadPlugins(plugins, options);
  if (result.problems.length) throw bootErrorFrom(result.problems);
  return result.ordered;
}

/**
 * One problem per missing dependency, with the chain of dependents that leads to it, e.g.
 * `support -> memory -> missing "crypto-x"`.
 */
function missingDependencyProblems(plugins: AnyPlugin[], present: Set<string>): BootProblem[] {
  const dependents = new Map<string, string[]>();
  for (const p of plugins) {
    for (const dep of p.dependsOn ?? []) dependents.set(dep, [...(dependents.get(dep) ?? []), p.id]);
  }
  const chainTo = (id: string): string[] => {
    const chain = [id];
    const seen = new Set(chain);
    let current = id;
    for (;;) {
      const next = (dependents.get(current) ?? []).find((d) => !seen.has(d));
      if (!next) return chain.reverse();
      chain.push(next);
      seen.add(next);
      current = next;
    }
  };
  const problems: BootProblem[] = [];
  for (const p of plugins) {
    for (const dep of p.dependsOn ?? []) {
      if (present.has(dep)) continue;
      problems.push({
        code: 'MISSING_DEPENDENCY',
        plugin: p.id,
        message: `${[...chainTo(p.id), `missing "${dep}"`].join(' -> ')} (add the "${dep}" plugin to the app)`,
      });
    }
  }
  return problems;
}

/** Every dependency cycle, printed as `a -> b -> c -> a`. */
function cycleProblems(plugins: AnyPlugin[], known: Map<string, AnyPlugin>): BootProblem[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (id: string) => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of orderingDependencies(known.get(id))) {
      if (!known.has(dep)) continue;
      if (state.get(dep) === 'visiting') cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const p of plugins) if (!state.has(p.id)) visit(p.id);
  return cycles.map((cycle) => ({
    code: 'DEPENDENCY_CYCLE',
    plugin: cycle[0],
    message: `dependency cycle: ${cycle.join(' -> ')}`,
  }));
}

function duplicateCommandProblems(plugins: AnyPlugin[], coreCommands: string[]): BootProblem[] {
  const owners = new Map<string, string[]>();
  for (const command of coreCommands) owners.set(command, ['core']);
  for (const p of plugins) {
    for (const c of p.commands ?? []) owners.set(c.command, [...(owners.get(c.command) ?? []), p.id]);
  }
  const problems: BootProblem[] = [];
  for (const [command, list] of owners) {
    if (list.length < 2) continue;
    problems.push({
      code: 'DUPLICATE_COMMAND',
      plugin: list.find((o) => o !== 'core'),
      message: `command /${command} is declared by ${list.map((o) => `"${o}"`).join(' and ')}`,
    });
  }
  return problems;
}

/** A /start payload must lead to one plugin: no declared prefix may cover another plugin's. */
function duplicateDeepLinkProblems(plugins: AnyPlugin[]): BootProblem[] {
  const links = plugins.flatMap((p) => (p.conversation?.deepLinks ?? []).map((link) => ({ link, id: p.id })));
  const problems: BootProblem[] = [];
  for (const [i, a] of links.entries()) {
    for (const b of links.slice(i + 1)) {
      if (a.id === b.id || !(deepLinkCovers(a.link, b.link) || deepLinkCovers(b.link, a.link))) continue;
      problems.push({
        code: 'DUPLICATE_DEEP_LINK',
        plugin: b.id,
        message: `deep link "${b.link}" of "${b.id}" overlaps "${a.link}" of "${a.id}"`,
      });
    }
  }
  return problems;
}

/** Required and optional dependencies both come first when present. */
function orderingDependencies(plugin: AnyPlugin | undefined): string[] {
  return [...(plugin?.dependsOn ?? []), ...(plugin?.optionalDependsOn ?? [])];
}

/** Kahn's algorithm; plugins in a cycle (already reported) are left out. */
function topologicalOrder(plugins: AnyPlugin[], known: Map<string, AnyPlugin>): AnyPlugin[] {
  const ordered: AnyPlugin[] = [];
  const placed = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const p of plugins) {
      if (placed.has(p.id)) continue;
      const deps = orderingDependencies(p).filter((d) => known.has(d));
      if (deps.every((d) => placed.has(d))) {
        ordered.push(p);
        placed.add(p.id);
        progress = true;
        break; // restart so earlier-listed plugins win ties
      }
    }
  }
  return ordered;
}
