import type { DependencyContainer } from 'tsyringe';
import type { Token } from './tokens.js';

/** A token and the value that replaces its service (build pairs with `serviceOverride`). */
export type ServiceOverride<T = unknown> = readonly [token: Token<T>, value: T];

/** A typed `[token, value]` pair: the compiler checks that the value fits the token. */
export function serviceOverride<T>(token: Token<T>, value: T): ServiceOverride<T> {
  return [token, value];
}

/**
 * Registers each override as a fixed value in `container`. createApp applies them to the root
 * after core's registrations and again to every plugin's child container, so plugin-scoped
 * tokens (Llm, Kv, Jobs, Logger...) are replaced for every plugin too.
 */
export function applyServiceOverrides(
  container: DependencyContainer,
  overrides: readonly ServiceOverride<any>[] | undefined,
): void {
  for (const [token, value] of overrides ?? []) container.register(token, { useValue: value });
}
