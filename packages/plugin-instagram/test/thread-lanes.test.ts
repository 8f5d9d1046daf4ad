/**
 * Thread lanes: a reply stuck in one thread (an LLM call that does not return) holds up only
 * its own lane; other threads, also two in one delivery, are answered meanwhile, and the stuck
 * thread's next message waits for the first, so its replies go out in order.
 */
import type { ChatRequest, ChatResult } from '@botloom/core';
import { ScriptedLlm } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laneOf } from '../src/services/webhook-inbox.js';
import { messageItem } from '../src/testing/index.js';
import { type InstagramTestApp, startInstagramTestApp } from './support/instagram-test-app.js';

const lastUser = (request: ChatRequest) =>
  [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';

/** Holds every reply to a message containing "SLOW" until `open()`. */
class GatedLlm extends ScriptedLlm {
  held = 0;
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  open() {
    this.release();
  }

  override async chat(request: ChatRequest): Promise<ChatResult> {
    if (request.purpose === 'instagram.reply' && lastUser(request).includes('SLOW')) {
      this.held++;
      await this.gate;
    }
    return super.chat(request);
  }
}

describe('laneOf', () => {
  it('keeps a thread in one lane and spreads threads over all of them', () => {
    expect(laneOf('17841400000000001', 4)).toBe(laneOf('17841400000000001', 4));
    expect(laneOf('17841400000000001', 1)).toBe(0);
    const lanes = new Set(Array.from({ length: 200 }, (_, i) => laneOf(String(5000 + i), 4)));
    expect([...lanes].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('threads in lanes', { timeout: 120_000 }, () => {
  let t: InstagramTestApp;
  const llm = new GatedLlm({ reply: (request) => `re: ${lastUser(request)}` });

  beforeAll(async () => {
    t = await startInstagramTestApp({ threadConcurrency: 4 }, {}, { services: { llm } });
  });
  afterAll(async () => {
    llm.open();
    await t?.stop();
  });

  /** Users from 6000 on, the first one found in each wanted lane relation. */
  const pick = (want: (lane: number) => boolean, not: string[] = []) => {
    for (let i = 6000; ; i++) {
      const id = String(i);
      if (!not.includes(id) && want(laneOf(id, 4))) return id;
    }
  };

  it('answers other threads while one is stuck, and keeps the stuck thread in order', async () => {
    const slow = pick(() => true);
    const lane = laneOf(slow, 4);
    const fast = pick((l) => l !== lane);
    const second = pick((l) => l !== lane && l !== laneOf(fast, 4));
    const third = pick((l) => ![lane, laneOf(fast, 4), laneOf(second, 4)].includes(l));

    await t.sender.message(slow, 'SLOW question first');
    await t.waitFor(async () => llm.held === 1, 'the first reply held');
    const { mid: later } = await t.sender.message(slow, 'and a second one');

    // Another thread is answered while the first is stuck.
    await t.sender.message(fast, 'Hello from another thread');
    await t.graph.waitForSent((m) => m.recipient === fast && m.text === 're: Hello from another thread');

    // One delivery with two threads: each lane takes its own; the delivery is done when both are.
    const items = [
      messageItem(t.graph.accountId, second, 'Two in one delivery'),
      messageItem(t.graph.accountId, third, 'Two in one delivery, too'),
    ];
    const delivery = await t.sender.items(items);
    expect(delivery.status).toBe(200);
    await t.graph.waitForSent((m) => m.recipient === second && m.text === 're: Two in one delivery');
    await t.graph.waitForSent((m) => m.recipient === third && m.text === 're: Two in one delivery, too');
    await t.waitFor(
      async () =>
        (
          await t.query(
            `SELECT 1 FROM instagram_deliveries d JOIN instagram_events e ON e.delivery_id = d.id
              WHERE e.mid = $1 AND d.status = 'processed'`,
            [items[0]!.message.mid],
          )
        ).length === 1,
      'the two-thread delivery processed',
    );

    // The stuck thread's second message waits behind its first, in the same lane.
    expect(t.graph.sentTo(slow)).toEqual([]);
    const waiting = await t.query<{ status: string }>(`SELECT status FROM instagram_events WHERE mid = $1`, [
      later,
    ]);
    expect(waiting.map((e) => e.status)).not.toContain('handled');

    llm.open();
    await t.graph.waitForSent((m) => m.recipient === slow && m.text === 're: and a second one');
    expect(t.graph.sentTo(slow).map((m) => m.text)).toEqual([
      're: SLOW question first',
      're: and a second one',
    ]);
    expect(llm.held).toBe(1);
  });
});
