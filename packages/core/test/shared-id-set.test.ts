import { describe, expect, it } from 'vitest';
import { createSharedIdSet } from '../src/signals/shared-id-set.js';
import type { SignalChannel, SignalMeta, Signals } from '../src/signals/types.js';

/** Signals between instances of one process: every subscriber gets every publish. */
function localSignals() {
  const subscribers: Array<{ instance: number; handler: (payload: unknown, meta: SignalMeta) => unknown }> =
    [];
  let next = 0;
  const forInstance = (): Signals => {
    const instance = next++;
    return {
      async publish<T>(_channel: SignalChannel<T>, payload: T) {
        for (const s of subscribers) await s.handler(payload, { fromThisInstance: s.instance === instance });
      },
      async subscribe<T>(_channel: SignalChannel<T>, handler: (payload: T, meta: SignalMeta) => unknown) {
        subscribers.push({ instance, handler: handler as (payload: unknown, meta: SignalMeta) => unknown });
        return async () => {};
      },
    } as unknown as Signals;
  };
  return { forInstance };
}

describe('createSharedIdSet', () => {
  it('holds everything until loaded, then the loaded ids and the ones added on any instance', async () => {
    let stored = [1, 2];
    const signals = localSignals();
    const a = createSharedIdSet({
      name: 'test.ids',
      load: async () => stored,
      signals: signals.forInstance(),
    });
    const b = createSharedIdSet({
      name: 'test.ids',
      load: async () => stored,
      signals: signals.forInstance(),
    });
    expect(a.has(99)).toBe(true);
    await a.start();
    await b.start();
    expect(a.has(1)).toBe(true);
    expect(a.has(99)).toBe(false);
    stored = [1, 2, 3];
    await a.add(3);
    expect(a.has(3)).toBe(true);
    expect(b.has(3)).toBe(true); // b reloaded on a's signal
    await a.stop();
    await b.stop();
  });

  it('keeps an id added while a reload was reading', async () => {
    let release!: () => void;
    let reads = 0;
    const set = createSharedIdSet({
      name: 'test.ids',
      load: async () => {
        reads++;
        if (reads > 1) await new Promise<void>((resolve) => (release = resolve));
        return [1];
      },
    });
    await set.reload();
    const reloading = set.reload();
    await set.add(7);
    release();
    await reloading;
    expect(set.has(7)).toBe(true);
    await set.stop();
  });
});
