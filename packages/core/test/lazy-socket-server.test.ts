import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { lazySocketServer } from '../src/realtime/lazy-socket-server.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(
  wss: ReturnType<typeof lazySocketServer>,
  onSocket: (ws: WebSocket) => void,
): Promise<string> {
  server = createServer();
  server.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket, head, onSocket));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function open(url: string): Promise<WebSocket> {
  const client = new WebSocket(url);
  return new Promise((resolve, reject) => {
    client.once('open', () => resolve(client));
    client.once('error', reject);
  });
}

describe('lazySocketServer', () => {
  it('closes at once when no handshake ever made the server', async () => {
    await expect(lazySocketServer({ maxPayload: 1024 }).close()).resolves.toBeUndefined();
  });

  it('completes a handshake and hands the open socket over', async () => {
    const wss = lazySocketServer({ maxPayload: 1024 });
    const url = await listen(wss, (ws) => ws.on('message', (data) => ws.send(`echo ${data}`)));
    const client = await open(url);
    const reply = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
    client.send('hi');
    expect(await reply).toBe('echo hi');
    client.terminate();
    await wss.close();
  });

  it('drops a socket whose frame is over maxPayload', async () => {
    const wss = lazySocketServer({ maxPayload: 16 });
    let refused: (code: string) => void;
    const serverError = new Promise<string>((resolve) => (refused = resolve));
    const url = await listen(wss, (ws) =>
      ws.on('error', (err) => refused((err as Error & { code: string }).code)),
    );
    const client = await open(url);
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    client.send('x'.repeat(64));
    expect(await serverError).toBe('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    expect(await closed).toBe(1009);
    await wss.close();
  });
});
