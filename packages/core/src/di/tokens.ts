import type { DependencyContainer } from 'tsyringe';
import { MissingServiceError } from '../errors/botloom-error.js';

/**
 * A typed DI token. At runtime it is a unique symbol whose description is the token's name,
 * so errors can name it; at compile time it carries the service type.
 */
export type Token<T> = symbol & { readonly __service?: T };

export function createToken<T>(name: string): Token<T> {
  return Symbol(name) as Token<T>;
}

export function tokenName(token: Token<unknown>): string {
  return token.description ?? token.toString();
}

/** A function that resolves a typed token, failing with the token's name when unregistered. */
export type Resolve = <T>(token: Token<T>) => T;

export function resolverFor(container: DependencyContainer, requestedBy?: string): Resolve {
  return <T>(token: Token<T>): T => {
    if (!container.isRegistered(token, true)) throw new MissingServiceError(tokenName(token), requestedBy);
    return container.resolve<T>(token);
  };
}
