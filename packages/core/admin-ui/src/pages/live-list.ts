import { useEffect, useState } from 'react';
import { api, pluginPath } from '../api';

/** Bursts of changes (a message, then the bot's reply) become one reload. */
const DEBOUNCE_MS = 300;
const MAX_BACKOFF_MS = 30_000;

/**
 * A list page's live mode (`list.live`): fetches a one-time ticket, opens the plugin's socket
 * and calls `reload` shortly after any message on it. A refused or dropped socket is retried
 * with backoff, silently: the page still reloads by hand. Answers whether the socket is open.
 */
export function useLiveReload(
  plugin: string,
  live: { socket: string; ticket: string } | undefined,
  reload: () => void,
): boolean {
  const [open, setOpen] = useState(false);
  const socketPath = live?.socket;
  const ticketPath = live?.ticket;
  useEffect(() => {
    if (!socketPath || !ticketPath) return;
    let stopped = false;
    let socket: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let debounce: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let connectedBefore = false;

    const later = () => {
      clearTimeout(debounce);
      debounce = setTimeout(reload, DEBOUNCE_MS);
    };
    const scheduleRetry = () => {
      if (stopped) return;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures++);
      retry = setTimeout(connect, delay / 2 + Math.random() * (delay / 2));
    };
    async function connect() {
      if (stopped) return;
      let ticket: string;
      try {
        ticket = (await api<{ ticket: string }>('GET', pluginPath(plugin, ticketPath!))).ticket;
      } catch {
        return scheduleRetry();
      }
      if (stopped) return;
      const url = new URL(`/p/${plugin}${socketPath}`, window.location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      url.searchParams.set('ticket', ticket);
      const ws = new WebSocket(url);
      socket = ws;
      ws.onopen = () => {
        failures = 0;
        setOpen(true);
        // Changes while the socket was down were not delivered: catch up once.
        if (connectedBefore) later();
        connectedBefore = true;
      };
      ws.onmessage = later;
      ws.onclose = () => {
        if (socket !== ws) return;
        socket = undefined;
        setOpen(false);
        scheduleRetry();
      };
    }

    void connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(debounce);
      socket?.close();
      socket = undefined;
    };
  }, [plugin, socketPath, ticketPath, reload]);
  return open;
}
