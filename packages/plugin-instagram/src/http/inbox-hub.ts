import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRealtime, lazySocketServer, type Realtime, type RealtimeChannel } from '@botloom/core';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { InstagramServices } from '../services/instagram-services.js';

/** "This conversation changed": ids only; every instance with a socket watching it reloads it. */
const conversationRef = z.object({ conversationId: z.string().uuid() });
type ConversationRef = z.infer<typeof conversationRef>;

/** Realtime topics: the inbox list (every conversation) and one per open thread. */
const LIST_TOPIC = 'list';
const threadTopic = (conversationId: string) => `thread:${conversationId}`;

const ClientEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), conversationId: z.string().uuid().nullable() }),
  z.object({
    type: z.literal('reply'),
    conversationId: z.string().uuid(),
    text: z.string().trim().min(1).max(8000),
  }),
  z.object({ type: z.literal('ping') }),
]);

const TICKET_TTL_MS = 60_000;
const MAX_FRAME_BYTES = 32 * 1024;

export interface TicketStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs?: number): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

interface Operator {
  name: string;
  role: 'admin' | 'viewer';
  /** null = every conversation (the inbox list); otherwise one thread. */
  watching: string | null;
  /** Leaves the realtime topic of `watching`. */
  leave?: () => void;
}

const ticketKey = (ticket: string) => `inbox-ticket:${createHash('sha256').update(ticket).digest('hex')}`;

/**
 * The live human inbox over a WebSocket at /p/instagram/inbox. A socket opens with a one-time
 * ticket that an authenticated admin request issued (GET /admin/api/instagram/inbox/ticket),
 * so the admin session or token never travels in a URL. Changes fan out across instances
 * through core realtime (signals between instances); viewers watch, admins also reply (as a person: the window applies).
 */
export class InboxHub {
  private readonly wss = lazySocketServer({ maxPayload: MAX_FRAME_BYTES });
  private readonly sockets = new Map<WebSocket, Operator>();
  private readonly channel: RealtimeChannel<ConversationRef, unknown>;
  private offLocal: (() => void) | undefined;

  constructor(
    private readonly deps: {
      services: () => InstagramServices;
      tickets: TicketStore;
      /** Core's WebSocket fan-out; absent: this process only. */
      realtime?: Realtime;
      crypto: { encrypt(text: string): string; decrypt(text: string): string };
      logger: Logger;
    },
  ) {
    const realtime = deps.realtime ?? createRealtime({ crypto: deps.crypto, logger: deps.logger });
    this.channel = realtime.channel({
      name: 'instagram.conversation',
      ref: conversationRef,
      topicsOf: ({ conversationId }) => [LIST_TOPIC, threadTopic(conversationId)],
      load: async ({ conversationId }, topic) => {
        const store = this.deps.services().store;
        const conversation = await store.get(conversationId);
        if (!conversation) return undefined;
        if (topic === LIST_TOPIC) return { type: 'conversation', conversation };
        return { type: 'conversation', conversation, messages: await store.history(conversationId, 20) };
      },
    });
  }

  async issueTicket(operator: {
    name: string;
    role: 'admin' | 'viewer';
  }): Promise<{ ticket: string; expiresInSeconds: number }> {
    const ticket = randomBytes(24).toString('base64url');
    await this.deps.tickets.set(ticketKey(ticket), operator, TICKET_TTL_MS);
    return { ticket, expiresInSeconds: TICKET_TTL_MS / 1000 };
  }

  readonly handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    void this.authenticate(request)
      .then((operator) => {
        if (!operator) {
          socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, operator));
      })
      .catch((err) => {
        this.deps.logger.warn({ err }, 'inbox upgrade failed');
        socket.destroy();
      });
  };

  private async authenticate(request: IncomingMessage): Promise<Operator | undefined> {
    const ticket = new URL(request.url ?? '/', 'http://localhost').searchParams.get('ticket');
    if (!ticket || ticket.length > 100) return undefined;
    const key = ticketKey(ticket);
    const found = await this.deps.tickets.get<{ name: string; role: 'admin' | 'viewer' }>(key);
    if (!found) return undefined;
    await this.deps.tickets.delete(key);
    return { ...found, watching: null };
  }

  async start(): Promise<void> {
    await this.channel.start();
    this.offLocal = this.deps
      .services()
      .onConversationChanged((conversationId) => void this.channel.publish({ conversationId }));
  }

  async close(): Promise<void> {
    this.offLocal?.();
    await this.channel.close();
    for (const ws of this.sockets.keys()) ws.close(1001, 'shutting down');
    this.sockets.clear();
    await this.wss.close();
  }

  private onConnection(ws: WebSocket, operator: Operator) {
    this.sockets.set(ws, operator);
    this.watch(ws, operator, null);
    const gone = () => {
      operator.leave?.();
      this.sockets.delete(ws);
    };
    ws.on('close', gone);
    ws.on('error', gone);
    ws.on('message', (data) => void this.onMessage(ws, operator, data.toString()));
    this.send(ws, { type: 'hello', operator: { name: operator.name, role: operator.role } });
  }

  private async onMessage(ws: WebSocket, operator: Operator, raw: string) {
    let event: z.infer<typeof ClientEvent>;
    try {
      event = ClientEvent.parse(JSON.parse(raw));
    } catch {
      return this.send(ws, { type: 'error', code: 'BAD_EVENT' });
    }
    if (event.type === 'ping') return this.send(ws, { type: 'pong' });
    if (event.type === 'subscribe') {
      this.watch(ws, operator, event.conversationId);
      if (event.conversationId) await this.sendConversation(ws, event.conversationId);
      return;
    }
    if (operator.role !== 'admin') return this.send(ws, { type: 'error', code: 'FORBIDDEN' });
    const services = this.deps.services();
    const conversation = await services.store.get(event.conversationId);
    if (!conversation) return this.send(ws, { type: 'error', code: 'INSTAGRAM_NOT_FOUND' });
    const entry = await services.outbox.enqueue({
      conversation,
      author: 'human',
      authorName: operator.name,
      text: event.text,
      source: 'admin',
    });
    this.send(ws, {
      type: 'reply',
      outbox: { id: entry.id, status: entry.status, reason: entry.errorMessage },
    });
  }

  private watch(ws: WebSocket, operator: Operator, conversationId: string | null) {
    operator.leave?.();
    operator.watching = conversationId;
    operator.leave = this.channel.join(
      conversationId === null ? LIST_TOPIC : threadTopic(conversationId),
      ws,
    );
  }

  private async sendConversation(ws: WebSocket, conversationId: string) {
    const services = this.deps.services();
    const conversation = await services.store.get(conversationId);
    if (!conversation) return this.send(ws, { type: 'error', code: 'INSTAGRAM_NOT_FOUND' });
    this.send(ws, {
      type: 'conversation',
      conversation,
      messages: await services.store.history(conversationId, 50),
    });
  }

  private send(ws: WebSocket, payload: unknown) {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }
}
