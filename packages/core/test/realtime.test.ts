import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAesGcmCrypto } from '../src/crypto/aes-gcm.js';
import { createRealtime, type RealtimeSocket } from '../src/realtime/realtime.js';
import { createAppSignals, type SignalService } from '../src/signals/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';

const logger = pino({ level: 'silent' });

/** Waits for a condition with a wide limit: delivery takes as long as the busy machine needs. */
async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function socket(): RealtimeSocket & { got: any[] } {
  const got: any[] = [];
  return { readyState: 1, OPEN: 1, send: (text) => got.push(JSON.parse(text)), got };
}

interface Ref {
  roomId: number;
}
interface Msg {
  room: number;
  text: string;
  topic?: string;
}

let database: TestDatabase;
const signals: SignalService[] = [];
const presence = new Map<string, unknown>();
const key = randomBytes(32);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const s of signals) await s.close();
  await database?.drop();
});

describe('core realtime across instances', () => {
  it('fans a change out to the sockets of its topics on every instance, sealed body or ids', async () => {
    // Two instances: each its own signal connection, realtime service and channel (one name).
    const shared = `test.rooms.${randomBytes(4).toString('hex')}`;
    const a = { loads: [] as Array<{ ref: Ref; topic: string }> };
    const b = { loads: [] as Array<{ ref: Ref; topic: string }> };
    const mk = (i: typeof a, name: string) => {
      const own = createAppSignals({ databaseUrl: database.url, logger, instanceId: name });
      signals.push(own);
      const realtime = createRealtime({
        signals: own,
        crypto: createAesGcmCrypto(key),
        logger,
        presence: {
          get: async (k) => presence.get(k),
          set: async (k, v) => presence.set(k, v),
          delete: async (k) => presence.delete(k),
        },
      });
      return realtime.channel<Ref, Msg>({
        name: shared,
        ref: z.object({ roomId: z.number().int() }),
        topicsOf: (ref) => ['all', `room:${ref.roomId}`],
        load: async (ref, topic) => {
          i.loads.push({ ref, topic });
          return { room: ref.roomId, text: 'from the database', topic };
        },
        presenceTtlMs: 60_000,
      });
    };
    const onA = mk(a, 'a');
    const onB = mk(b, 'b');
    await onA.start();
    await onB.start();
    const listOnA = socket();
    const roomOnA = socket();
    const otherRoomOnA = socket();
    onA.join('all', listOnA);
    const leaveRoom = onA.join('room:7', roomOnA);
    onA.join('room:8', otherRoomOnA);

    // Presence: B sees that a socket of room 7 is open on A.
    await until(() => presence.size === 3, 'presence marks');
    expect(await onB.isOpen('room:7')).toBe(true);
    expect(await onB.isOpen('room:9')).toBe(false);

    // A small message travels sealed in the signal: A sends it without loading.
    await onB.publish({ roomId: 7 }, { room: 7, text: 'hello' });
    await until(() => roomOnA.got.length === 1 && listOnA.got.length === 1, 'the small message');
    expect(roomOnA.got[0]).toEqual({ room: 7, text: 'hello' });
    expect(otherRoomOnA.got).toEqual([]);
    expect(a.loads).toEqual([]);

    // One over the payload limit travels as ids: A loads it, once per topic with a socket.
    await onB.publish({ roomId: 7 }, { room: 7, text: 'x'.repeat(9000) });
    await until(() => roomOnA.got.length === 2 && listOnA.got.length === 2, 'the large message');
    expect(roomOnA.got[1]).toEqual({ room: 7, text: 'from the database', topic: 'room:7' });
    expect(listOnA.got[1]).toEqual({ room: 7, text: 'from the database', topic: 'all' });
    expect(a.loads.map((l) => l.topic).sort()).toEqual(['all', 'room:7']);
    expect(b.loads).toEqual([]); // B has no socket: it never loads

    // Leaving the last socket of a topic removes its presence mark.
    leaveRoom();
    expect(await onA.isOpen('room:7')).toBe(false);
    await onA.close();
    await onB.close();
  });

  it('drops a body sealed with another key instead of pushing garbage', async () => {
    const shared = `test.keys.${randomBytes(4).toString('hex')}`;
    const make = (signalsOf: SignalService, cryptoKey: Buffer, loads: string[]) =>
      createRealtime({ signals: signalsOf, crypto: createAesGcmCrypto(cryptoKey), logger }).channel<Ref, Msg>(
        {
          name: shared,
          ref: z.object({ roomId: z.number().int() }),
          topicsOf: (ref) => [`room:${ref.roomId}`],
          load: async (ref) => {
            loads.push(`load ${ref.roomId}`);
            return { room: ref.roomId, text: 'from the database' };
          },
        },
      );
    const s1 = createAppSignals({ databaseUrl: database.url, logger, instanceId: 'k1' });
    const s2 = createAppSignals({ databaseUrl: database.url, logger, instanceId: 'k2' });
    signals.push(s1, s2);
    const loads: string[] = [];
    const receiver = make(s1, key, loads);
    const stranger = make(s2, randomBytes(32), []);
    const trusted = make(s2, key, []);
    await receiver.start();
    const sock = socket();
    receiver.join('room:1', sock);
    await stranger.publish({ roomId: 1 }, { room: 1, text: 'forged' });
    await trusted.publish({ roomId: 1 }, { room: 1, text: 'genuine' });
    await until(() => sock.got.length >= 1, 'the genuine message');
    expect(sock.got).toEqual([{ room: 1, text: 'genuine' }]);
    await receiver.close();
  });
});
