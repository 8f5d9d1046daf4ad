import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';

/**
 * The `ws` server behind a plugin's `onUpgrade` handler (`noServer`): the handler authenticates
 * the request, then hands the handshake here.
 */
export interface LazySocketServer {
  /** Completes the handshake; `onSocket` gets the open socket. */
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    onSocket: (ws: WebSocket) => void,
  ): void;
  /** Closes the server if a handshake made it; the open sockets are the caller's to close. */
  close(): Promise<void>;
}

/** A socket server made at the first handshake, so ws is not loaded at every app start. */
export function lazySocketServer(options: { maxPayload: number }): LazySocketServer {
  let server: WebSocketServer | undefined;
  return {
    handleUpgrade(request, socket, head, onSocket) {
      server ??= new (createRequire(import.meta.url)('ws') as typeof import('ws')).WebSocketServer({
        noServer: true,
        maxPayload: options.maxPayload,
      });
      server.handleUpgrade(request, socket, head, onSocket);
    },
    async close() {
      const made = server;
      server = undefined;
      if (made) await new Promise<void>((resolve) => made.close(() => resolve()));
    },
  };
}
