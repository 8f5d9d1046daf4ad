import { createToken, type Token } from '../di/tokens.js';

/**
 * A typed reference to a service and the plugin that provides it ('core' for core's services).
 * Plugins declare the refs they need in `services.deps` and the refs they provide in
 * `provides`; the app checks both against `dependsOn` before anything starts.
 */
export interface ServiceRef<T> {
  /** `<owner>.<name>`, e.g. `support.desk`; used in boot errors. */
  readonly id: string;
  readonly owner: string;
  /** The DI token the service is registered under (root container). */
  readonly token: Token<T>;
}

/** A dependency that may be absent: it resolves to `undefined` when its owner is not loaded. */
export interface OptionalServiceRef<T> {
  readonly optional: true;
  readonly ref: ServiceRef<T>;
}

export type ServiceDependency = ServiceRef<any> | OptionalServiceRef<any>;

export type ResolvedDependencies<D extends Record<string, ServiceDependency>> = {
  [K in keyof D]: D[K] extends OptionalServiceRef<infer T>
    ? T | undefined
    : D[K] extends ServiceRef<infer T>
      ? T
      : never;
};

const owners = new Map<symbol, ServiceRef<unknown>>();

/**
 * Creates the reference under which a plugin exposes a service. Export it from the plugin's
 * package, so dependants import the ref (and its type) instead of guessing a token name.
 */
export function createServiceRef<T>(options: { id: string; owner: string }): ServiceRef<T> {
  const ref: ServiceRef<T> = Object.freeze({
    id: options.id,
    owner: options.owner,
    token: createToken<T>(options.id),
  });
  owners.set(ref.token, ref);
  return ref;
}

/** Wraps a core token as a ref owned by core. */
export function coreServiceRef<T>(token: Token<T>): ServiceRef<T> {
  const ref: ServiceRef<T> = Object.freeze({ id: `core.${tokenLabel(token)}`, owner: 'core', token });
  owners.set(token, ref);
  return ref;
}

/** Marks a dependency as optional: the plugin works without the service's owner. */
export function optional<T>(ref: ServiceRef<T>): OptionalServiceRef<T> {
  return Object.freeze({ optional: true as const, ref });
}

export function isOptional(dep: ServiceDependency): dep is OptionalServiceRef<unknown> {
  return (dep as OptionalServiceRef<unknown>).optional === true;
}

export function refOf(dep: ServiceDependency): ServiceRef<any> {
  return isOptional(dep) ? dep.ref : (dep as ServiceRef<unknown>);
}

/** The ref a token was created for, when it belongs to a plugin or to core. */
export function serviceRefOfToken(token: symbol): ServiceRef<unknown> | undefined {
  return owners.get(token);
}

function tokenLabel(token: symbol): string {
  const name = token.description ?? 'service';
  return name.charAt(0).toLowerCase() + name.slice(1);
}
