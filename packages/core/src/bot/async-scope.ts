import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The bot pipeline's one AsyncLocalStorage, with a slot for each thing that follows an update
 * or an API call across awaits: the update inbox's delivery being handled, and the outgoing
 * API call in flight. One instance, not one per slot: on Node 20 every AsyncLocalStorage
 * propagates its store on every promise the process creates (async hooks), so each instance
 * costs CPU on every update, database and HTTP work included.
 */
interface Slots {
  delivery?: object;
  call?: object;
}

const storage = new AsyncLocalStorage<Slots>();

/** Runs `fn` with `delivery` in its async context (the call slot stays as it was). */
export function runWithDelivery<T>(delivery: object, fn: () => T): T {
  return storage.run({ delivery, call: storage.getStore()?.call }, fn);
}

/** The delivery of the async context (set by `runWithDelivery`). */
export function currentDelivery<D extends object>(): D | undefined {
  return storage.getStore()?.delivery as D | undefined;
}

/** Runs `fn` with `call` in its async context (the delivery slot stays as it was). */
export function runWithCall<T>(call: object, fn: () => T): T {
  return storage.run({ delivery: storage.getStore()?.delivery, call }, fn);
}

/** The API call of the async context (set by `runWithCall`). */
export function currentCall<C extends object>(): C | undefined {
  return storage.getStore()?.call as C | undefined;
}
