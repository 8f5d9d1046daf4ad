import 'reflect-metadata';
import { type DependencyContainer, container as globalContainer, instanceCachingFactory } from 'tsyringe';
import { BootError } from '../errors/botloom-error.js';
import { type Resolve, resolverFor, type Token, tokenName } from './tokens.js';

/**
 * The app's root container: a child of tsyringe's global one, so two apps in one process
 * (tests) never share registrations.
 */
export function createRootContainer(): DependencyContainer {
  return globalContainer.createChildContainer();
}

/**
 * A core service that exists only once the app has started (database, bot API...). Resolving
 * it earlier — e.g. inside a plugin's `register` — fails with a message that says so.
 */
export function registerWhenAvailable<T>(
  container: DependencyContainer,
  token: Token<T>,
  get: () => T | undefined,
): void {
  container.register(token, {
    useFactory: () => {
      const value = get();
      if (value === undefined) {
        throw new BootError(
          'SERVICE_NOT_READY',
          `Service "${tokenName(token)}" is not available yet: resolve it in start(), bot(), routes or lazily, not in register()`,
        );
      }
      return value;
    },
  });
}

/** Tracks which plugin exposed which token, so two plugins cannot expose the same one. */
export class ExposedTokens {
  private readonly owners = new Map<symbol, string>();

  expose<T>(
    root: DependencyContainer,
    owner: { id: string; container: DependencyContainer },
    token: Token<T>,
    factory: (resolve: Resolve) => T,
  ): void {
    const previous = this.owners.get(token);
    if (previous !== undefined || root.isRegistered(token, false)) {
      throw new BootError(
        'DUPLICATE_SERVICE',
        `Plugin "${owner.id}" exposes "${tokenName(token)}", which ${previous ? `plugin "${previous}"` : 'core'} already provides`,
      );
    }
    this.owners.set(token, owner.id);
    // Exposed services are built from the exposing plugin's container, so they get its Logger, Kv...
    root.register(token, {
      useFactory: instanceCachingFactory(() => factory(resolverFor(owner.container, owner.id))),
    });
  }

  ownerOf(token: symbol): string | undefined {
    return this.owners.get(token);
  }
}
