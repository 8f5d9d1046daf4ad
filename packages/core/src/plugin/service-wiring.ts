import type { DependencyContainer } from 'tsyringe';
import { tokenName } from '../di/tokens.js';
import { BootError } from '../errors/botloom-error.js';
import type { BootProblem } from './boot-problems.js';
import { isOptional, refOf, type ServiceRef, serviceRefOfToken } from './service-ref.js';
import type { AnyPlugin } from './types.js';

function declaredOwners(plugin: AnyPlugin): Set<string> {
  return new Set(['core', plugin.id, ...(plugin.dependsOn ?? []), ...(plugin.optionalDependsOn ?? [])]);
}

/**
 * Static checks of `provides` and `services.deps` against `dependsOn`, run before anything
 * starts: a plugin may only use services of core, of itself and of the plugins it depends on,
 * and only those the owner lists in `provides`.
 */
export function serviceWiringProblems(plugins: readonly AnyPlugin[]): BootProblem[] {
  const problems: BootProblem[] = [];
  const byId = new Map(plugins.map((p) => [p.id, p]));
  const providers = new Map<symbol, string>();
  for (const plugin of plugins) {
    for (const ref of plugin.provides ?? []) {
      if (ref.owner !== plugin.id) {
        problems.push({
          code: 'INVALID_MANIFEST',
          plugin: plugin.id,
          message: `provides "${ref.id}", whose ref is owned by "${ref.owner}" (create it with owner "${plugin.id}")`,
        });
        continue;
      }
      const previous = providers.get(ref.token);
      if (previous) {
        problems.push({
          code: 'DUPLICATE_SERVICE',
          plugin: plugin.id,
          message: `provides "${ref.id}", which plugin "${previous}" already provides`,
        });
      }
      providers.set(ref.token, plugin.id);
    }
  }
  for (const plugin of plugins) {
    const allowed = declaredOwners(plugin);
    for (const [name, dep] of Object.entries(plugin.services?.deps ?? {})) {
      const ref = refOf(dep as never);
      if (allowed.has(ref.owner)) {
        const owner = byId.get(ref.owner);
        if (ref.owner === 'core' || ref.owner === plugin.id) continue;
        if (!owner) {
          if (!isOptional(dep as never) && !plugin.dependsOn?.includes(ref.owner)) {
            problems.push({
              code: 'SERVICE_NOT_PROVIDED',
              plugin: plugin.id,
              message: `deps.${name} needs "${ref.id}" of plugin "${ref.owner}", which the app does not load (wrap it in optional() to run without it)`,
            });
          }
          continue;
        }
        if (!owner.provides?.some((p) => p.token === ref.token)) {
          problems.push({
            code: 'SERVICE_NOT_PROVIDED',
            plugin: plugin.id,
            message: `deps.${name} needs "${ref.id}", which plugin "${ref.owner}" does not list in provides`,
          });
        }
        continue;
      }
      problems.push(undeclaredProblem(plugin.id, ref));
    }
  }
  return problems;
}

function undeclaredProblem(pluginId: string, ref: ServiceRef<unknown>): BootProblem {
  return {
    code: 'UNDECLARED_DEPENDENCY',
    plugin: pluginId,
    message: `uses service "${ref.id}" of plugin "${ref.owner}" but does not list "${ref.owner}" in dependsOn`,
  };
}

/**
 * Refuses, at the moment of resolving, a token of another plugin that the resolving plugin
 * has not declared a dependency on (tokens resolved by hand rather than through `deps`).
 */
export function assertMayResolve(plugin: AnyPlugin, token: symbol): void {
  const ref = serviceRefOfToken(token);
  if (!ref || declaredOwners(plugin).has(ref.owner)) return;
  const problem = undeclaredProblem(plugin.id, ref);
  throw new BootError(problem.code, `Plugin "${plugin.id}" ${problem.message}`, {
    details: { problems: [problem] },
  });
}

/** Registers exposed services in the root container; checks each against `provides`. */
export class ServiceExposure {
  private readonly exposedBy = new Map<symbol, string>();

  constructor(private readonly root: DependencyContainer) {}

  expose<T>(plugin: AnyPlugin, ref: ServiceRef<T>, service: T): void {
    if (!plugin.provides?.some((p) => p.token === ref.token)) {
      throw new BootError(
        'SERVICE_NOT_PROVIDED',
        `Plugin "${plugin.id}" exposes "${ref.id}" without listing it in provides`,
      );
    }
    if (this.exposedBy.has(ref.token) || this.root.isRegistered(ref.token, false)) {
      throw new BootError('DUPLICATE_SERVICE', `Service "${ref.id}" is exposed twice`);
    }
    this.exposedBy.set(ref.token, plugin.id);
    this.root.register(ref.token, { useValue: service });
  }

  /** After a plugin's `services.init`: every ref it provides must have been exposed. */
  missing(plugin: AnyPlugin): string[] {
    return (plugin.provides ?? [])
      .filter(
        (ref) => this.exposedBy.get(ref.token) !== plugin.id && !this.root.isRegistered(ref.token, false),
      )
      .map((ref) => ref.id ?? tokenName(ref.token));
  }
}
