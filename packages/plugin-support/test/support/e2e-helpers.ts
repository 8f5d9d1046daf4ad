import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FakeChatRequest } from '@botloom/core/testing';
import WebSocket from 'ws';

export const COMPANY_CONTEXT = `Company: Sunny Car Rental, Limassol.

Rental terms. To rent a car you need a driving licence held for at least 2 years and a passport. The deposit is 300 euros and is returned within 3 days after the car is back.

Office hours. Our office is open every day from 9:00 to 21:00 at 12 Harbour Street.

Delivery. We deliver cars to Larnaca and Paphos airports for 25 euros.`;

export async function knowledgeDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'support-e2e-kb-'));
  await writeFile(path.join(dir, 'company_context.txt'), COMPANY_CONTEXT);
  return dir;
}

/**
 * A stand-in for a real model behind the fake OpenAI server: it answers only when the
 * knowledge in the system prompt holds a sentence sharing the question's key word, and
 * otherwise follows the prompt's protocol by replying NO_ANSWER.
 */
const COMMON = new Set(['about', 'there', 'which', 'would', 'could', 'please', 'where', 'what', 'really']);

export function knowledgeBoundModel(request: FakeChatRequest): string {
  const knowledge = request.system.split('\n<context>\n')[1]?.split('\n</context>')[0] ?? '';
  const words = (request.lastUser.toLowerCase().match(/[a-z]{5,}/g) ?? []).filter((w) => !COMMON.has(w));
  let best: { text: string; passage: number; hits: number } | undefined;
  let passage = 0;
  for (const line of knowledge.split('\n').filter(Boolean)) {
    const number = line.match(/^\[(\d+)\]/);
    if (number) passage = Number(number[1]);
    if (line.endsWith(':')) continue; // a label line
    for (const sentence of line.replace(/^\[\d+\]\s*/, '').split(/(?<=\.)\s+/)) {
      if (sentence.length < 20) continue;
      const hits = words.filter((w) => sentence.toLowerCase().includes(w)).length;
      if (hits > (best?.hits ?? 0)) best = { text: sentence, passage, hits };
    }
  }
  return best ? `${best.text} [${best.passage}]` : 'NO_ANSWER';
}

/** A WebSocket client of the web app that collects server events. */
export async function connectWebApp(baseUrl: string, initData: string) {
  const url = `${baseUrl.replace(/^http/, 'ws')}/p/support/ws?initData=${encodeURIComponent(initData)}`;
  const ws = new WebSocket(url);
  const events: any[] = [];
  const waiters: Array<{ test: (e: any) => boolean; resolve: (e: any) => void }> = [];
  ws.on('message', (raw) => {
    const event = JSON.parse(String(raw));
    events.push(event);
    for (const w of [...waiters]) {
      if (w.test(event)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return {
    ws,
    events,
    send: (event: unknown) => ws.send(JSON.stringify(event)),
    waitFor(test: (e: any) => boolean, timeoutMs = 30_000): Promise<any> {
      const found = events.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching web app event; got ${JSON.stringify(events.slice(-5))}`)),
          timeoutMs,
        );
        waiters.push({
          test,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    close: () => ws.close(),
  };
}

/** Tries a WebSocket handshake and returns the HTTP status it was refused with (101 when accepted). */
export function handshakeStatus(baseUrl: string, initData: string): Promise<number> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/p/support/ws?initData=${encodeURIComponent(initData)}`;
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}
