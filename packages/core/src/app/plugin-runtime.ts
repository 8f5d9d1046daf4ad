import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { type Resolve, resolverFor, type Token } from '../di/tokens.js';
import { BootError } from '../errors/botloom-error.js';
import { invokeHook, type PluginHook } from '../plugin/invoke-hook.js';
import { isOptional, refOf, type ServiceDependency } from '../plugin/service-ref.js';
import { assertMayResolve, type ServiceExposure } from '../plugin/service-wiring.js';
import type { AnyPlugin, JobDefinition, PluginContext, PluginContextBase } from '../plugin/types.js';

/** One loaded plugin inside an app: its container, settings, logger and built services. */
export class PluginRuntime {
  readonly id: string;
  readonly resolve: Resolve;
  private built = false;
  private value: unknown;

  constructor(
    readonly manifest: AnyPlugin,
    readonly container: DependencyContainer,
    readonly config: unknown,
    readonly logger: Logger,
  ) {
    this.id = manifest.id;
    const resolve = resolverFor(container, manifest.id);
    this.resolve = <T>(token: Token<T>): T => {
      assertMayResolve(manifest, token);
      return resolve(token);
    };
  }

  /** What `services.init` returned; hooks that run before it see a clear error. */
  get services(): unknown {
    if (!this.built) {
      throw new BootError(
        'SERVICE_NOT_READY',
        `Plugin "${this.id}": ctx.services is used before its services stage ran`,
      );
    }
    return this.value;
  }

  /** The context of hooks that run before the services stage (`register`). */
  get baseContext(): PluginContextBase<any> {
    return {
      plugin: { id: this.id, version: this.manifest.version },
      config: this.config,
      logger: this.logger,
      resolve: this.resolve,
    };
  }

  /** The context of every hook after the services stage. */
  get context(): PluginContext<any, any> {
    return { ...this.baseContext, services: this.services };
  }

  /** Calls one of the plugin's hooks through the single error policy. */
  invoke<T>(hook: PluginHook, fn: () => T): T {
    return invokeHook(this.id, hook, fn);
  }

  /**
   * An optional dependency is undefined when nothing provides it, and also when a core service
   * is absent from this app (the Telegram API of an app started without a bot).
   */
  private resolveOptional(token: Token<unknown>): unknown {
    if (!this.container.isRegistered(token, true)) return undefined;
    try {
      return this.resolve(token);
    } catch (err) {
      if (err instanceof BootError && err.code === 'SERVICE_NOT_READY') return undefined;
      throw err;
    }
  }

  /** Resolves the declared deps, runs `services.init`, checks that every provided ref was exposed. */
  async buildServices(exposure: ServiceExposure): Promise<void> {
    const stage = this.manifest.services;
    if (stage) {
      const deps: Record<string, unknown> = {};
      for (const [name, dep] of Object.entries((stage.deps ?? {}) as Record<string, ServiceDependency>)) {
        const ref = refOf(dep);
        deps[name] = isOptional(dep) ? this.resolveOptional(ref.token) : this.resolve(ref.token);
      }
      this.value = await this.invoke('services', () =>
        stage.init({
          ...this.baseContext,
          deps: deps as never,
          expose: (ref, service) => exposure.expose(this.manifest, ref, service),
        }),
      );
    }
    this.built = true;
    const missing = exposure.missing(this.manifest);
    if (missing.length) {
      throw new BootError(
        'SERVICE_NOT_PROVIDED',
        `Plugin "${this.id}" lists ${missing.map((m) => `"${m}"`).join(', ')} in provides but never exposes it (call expose() in services.init)`,
        {
          details: {
            problems: missing.map((m) => ({
              code: 'SERVICE_NOT_PROVIDED',
              plugin: this.id,
              message: `provides "${m}" but never exposes it`,
            })),
          },
        },
      );
    }
  }

  /** The plugin's jobs: a list, or derived from its validated settings. */
  jobs(): JobDefinition[] {
    const jobs = this.manifest.jobs;
    if (typeof jobs !== 'function') return jobs ?? [];
    return this.invoke('jobs', () => (jobs as (config: unknown) => JobDefinition[])(this.config));
  }
}
