import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { lazySocketServer, type RealtimeChannel } from '@botloom/core';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { CustomerDesk } from '../services/customer-desk.js';
import { type InitDataResult, validateInitData, type WebAppUser } from '../services/init-data.js';
import type { RealtimeHub, WebAppEvent } from '../services/ports.js';
import type { CustomerInfo } from '../services/ticket-service.js';
import { customerTopic, refOf, type WebAppRef } from './web-app-fan-out.js';

const ClientEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), text: z.string().min(1).max(20_000) }),
  z.object({ type: z.literal('satisfied') }),
  z.object({ type: z.literal('call_manager') }),
  z.object({
    type: z.literal('rate'),
    ticketId: z.number().int().positive(),
    rating: z.number().int().min(1).max(5),
  }),
  z.object({ type: z.literal('ping') }),
]);

const MAX_FRAME_BYTES = 64 * 1024;
const RATE_WINDOW_MS = 10_000;
const RATE_MAX_EVENTS = 20;

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

export function customerFromWebAppUser(user: WebAppUser): CustomerInfo {
  return {
    id: user.id,
    chatId: user.id,
    name: [user.first_name, user.last_name].filter(Boolean).join(' ').trim() || `user ${user.id}`,
    username: user.username,
    language: user.language_code,
  };
}

export interface WebAppHubDeps {
  customers: () => CustomerDesk;
  botToken: () => string;
  maxAgeSeconds: number;
  logger: Logger;
  /** Core's realtime channel `support.webapp`: events reach the sockets on every instance. */
  channel: RealtimeChannel<WebAppRef, WebAppEvent>;
}

/**
 * The web app's real-time side: authenticates the WebSocket handshake with Telegram initData,
 * keeps each customer's open connections, turns their events into desk calls and pushes desk
 * events (manager replies, ticket changes) to them.
 */
export class WebAppHub implements RealtimeHub {
  private readonly wss = lazySocketServer({ maxPayload: MAX_FRAME_BYTES });
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly deps: WebAppHubDeps) {}

  /** Listens for events published by the other instances. */
  async start(): Promise<void> {
    await this.deps.channel.start();
  }

  authenticate(initData: string | null | undefined): InitDataResult {
    return validateInitData(initData, this.deps.botToken(), { maxAgeSeconds: this.deps.maxAgeSeconds });
  }

  /** A web app of the customer is open here or (with fan-out) on another instance. */
  /** A presence-mark read that fails answers false: the bot chat gets it (a duplicate beats a loss). */
  isConnected(customerId: number): Promise<boolean> {
    return this.deps.channel.isOpen(customerTopic(customerId));
  }

  publish(customerId: number, event: WebAppEvent | ((id: number) => WebAppEvent)): void {
    const resolved = typeof event === 'function' ? event(customerId) : event;
    const ref = refOf(customerId, resolved);
    if (ref) void this.deps.channel.publish(ref, resolved);
    else this.deps.channel.sendLocal(customerTopic(customerId), resolved);
  }

  /** The upgrade handler for `/p/support/ws?initData=...`. */
  handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refuse = (status: string, reason: string) => {
      this.deps.logger.warn({ reason }, 'web app connection refused');
      socket.end(
        `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`,
      );
    };
    const url = new URL(request.url ?? '/', 'http://localhost');
    const origin = request.headers.origin;
    if (origin && request.headers.host && originHost(origin) !== request.headers.host) {
      refuse('403 Forbidden', 'origin');
      return;
    }
    const auth = this.authenticate(url.searchParams.get('initData'));
    if (!auth.ok) {
      refuse('401 Unauthorized', auth.reason);
      return;
    }
    const customer = customerFromWebAppUser(auth.user);
    this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, customer));
  };

  private onConnection(ws: WebSocket, customer: CustomerInfo) {
    this.sockets.add(ws);
    const leave = this.deps.channel.join(customerTopic(customer.id), ws);
    const recent: number[] = [];
    ws.on('close', () => {
      this.sockets.delete(ws);
      leave();
    });
    ws.on('error', (err) => this.deps.logger.debug({ err }, 'web app socket error'));
    ws.on('message', (raw) => {
      const now = Date.now();
      while (recent.length && now - recent[0]! > RATE_WINDOW_MS) recent.shift();
      recent.push(now);
      if (recent.length > RATE_MAX_EVENTS) {
        this.send(ws, { type: 'error', code: 'RATE_LIMITED', text: 'Too many messages, slow down.' });
        return;
      }
      let parsed: z.infer<typeof ClientEvent>;
      try {
        const result = ClientEvent.safeParse(JSON.parse(String(raw)));
        if (!result.success) throw new Error('invalid');
        parsed = result.data;
      } catch {
        this.send(ws, { type: 'error', code: 'BAD_EVENT', text: 'Malformed event' });
        return;
      }
      void this.handle(ws, customer, parsed);
    });
    void this.deps
      .customers()
      .history(customer.id)
      .then((history) => this.send(ws, { type: 'history', ...history }))
      .catch((err) => this.deps.logger.error({ err }, 'could not load web app history'));
  }

  private async handle(ws: WebSocket, customer: CustomerInfo, event: z.infer<typeof ClientEvent>) {
    const desk = this.deps.customers();
    try {
      switch (event.type) {
        case 'message':
          await desk.customerMessage(customer, 'webapp', { text: event.text });
          break;
        case 'satisfied':
          await desk.satisfied(customer, 'webapp');
          break;
        case 'call_manager':
          await desk.callManager(customer, 'webapp');
          break;
        case 'rate':
          if (!(await desk.rate(customer.id, event.ticketId, event.rating))) {
            this.send(ws, {
              type: 'error',
              code: 'RATING_UNAVAILABLE',
              text: 'This request can no longer be rated.',
            });
          }
          break;
        case 'ping':
          break;
      }
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'INTERNAL';
      if (code === 'INTERNAL') this.deps.logger.error({ err }, 'web app event failed');
      this.send(ws, {
        type: 'error',
        code,
        text: code === 'INTERNAL' ? 'Something went wrong' : (err as Error).message,
      });
    }
  }

  private send(ws: WebSocket, event: WebAppEvent) {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
  }

  async close(): Promise<void> {
    await this.deps.channel.close();
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    await this.wss.close();
  }
}
