import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAesGcmCrypto, createRealtime } from '@botloom/core';
import { createAppSignals } from '@botloom/core/runtime';
import { createTestDatabase, type TestDatabase } from '@botloom/core/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebAppRef, webAppChannel } from '../src/http/web-app-fan-out.js';
import { WebAppHub } from '../src/http/web-app-hub.js';
import type { CustomerDesk } from '../src/services/customer-desk.js';
import { signInitData } from '../src/services/init-data.js';
import type { WebAppEvent } from '../src/services/ports.js';
import { connectWebApp } from './support/e2e-helpers.js';

const logger = pino({ level: 'silent' });
const BOT_TOKEN = '123456:fan-out-test';
const CUSTOMER = 700_001;
const crypto = createAesGcmCrypto(randomBytes(32));

/** One instance: its own signal service, core realtime and hub, serving `/p/support/ws` on its own port. */
async function startInstance(name: string, databaseUrl: string, presence: Map<string, unknown>) {
  const signals = createAppSignals({ databaseUrl, logger, instanceId: name });
  const loads: WebAppRef[] = [];
  const realtime = createRealtime({
    signals,
    crypto,
    logger,
    presence: {
      get: async (k) => presence.get(k),
      set: async (k, v) => presence.set(k, v),
      delete: async (k) => presence.delete(k),
    },
  });
  const hub = new WebAppHub({
    customers: () => ({ history: async () => ({ ticket: null, messages: [] }) }) as unknown as CustomerDesk,
    botToken: () => BOT_TOKEN,
    maxAgeSeconds: 3600,
    logger,
    channel: realtime.channel(
      // Stands in for the database read: the event is rebuilt from the ids alone.
      webAppChannel(async (ref): Promise<WebAppEvent | undefined> => {
        loads.push(ref);
        return ref.messageId === undefined
          ? undefined
          : {
              type: 'message',
              message: {
                id: ref.messageId,
                author: 'manager',
                authorName: 'Anna',
                text: `reloaded message ${ref.messageId}`,
                file: null,
                offer: false,
                createdAt: new Date(0).toISOString(),
              } as never,
            };
      }),
    ),
  });
  await hub.start();
  const server: Server = createServer();
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hub,
    url,
    loads,
    async stop() {
      await hub.close();
      await new Promise((resolve) => server.close(resolve));
      await signals.close();
    },
  };
}

let database: TestDatabase;
let a: Awaited<ReturnType<typeof startInstance>>;
let b: Awaited<ReturnType<typeof startInstance>>;
const presence = new Map<string, unknown>();
beforeAll(async () => {
  database = await createTestDatabase();
  a = await startInstance('a', database.url, presence);
  b = await startInstance('b', database.url, presence);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await database?.drop();
});

describe('web app events across instances', () => {
  it('an event published on instance B reaches the web app socket open on instance A', async () => {
    const initData = signInitData(BOT_TOKEN, { user: { id: CUSTOMER, first_name: 'Cleo' } });
    const client = await connectWebApp(a.url, initData);
    try {
      await client.waitFor((e) => e.type === 'history');
      // B has no socket of its own but knows a web app is open somewhere, so the bot chat is skipped.
      expect(await b.hub.isConnected(CUSTOMER)).toBe(true);
      expect(await b.hub.isConnected(CUSTOMER + 1)).toBe(false);

      // A small event travels in the signal (sealed): A pushes it without reading the database.
      b.hub.publish(CUSTOMER, { type: 'message', message: { id: 41, text: 'short and sealed' } as never });
      const small = await client.waitFor((e) => e.type === 'message' && e.message.id === 41);
      expect(small.message).toMatchObject({ text: 'short and sealed' });
      expect(a.loads).toEqual([]);

      // One over the signal's payload limit travels as ids: A rebuilds it from the database.
      b.hub.publish(CUSTOMER, {
        type: 'message',
        message: { id: 42, text: `the body stays on B ${'x'.repeat(9000)}` } as never,
      });
      const event = await client.waitFor((e) => e.type === 'message' && e.message.id === 42);
      expect(event.message).toMatchObject({ id: 42, text: 'reloaded message 42' });
      expect(a.loads).toEqual([{ customerId: CUSTOMER, messageId: 42 }]);
      expect(b.loads).toEqual([]); // B has no socket: it never reloads
    } finally {
      client.close();
    }
  });
});
