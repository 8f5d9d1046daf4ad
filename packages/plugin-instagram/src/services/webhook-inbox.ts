import { createHash } from 'node:crypto';
import type { Crypto, Jobs } from '@botloom/core';
import type { Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { InstagramAgent } from './instagram-agent.js';
import { type InstagramEvent, parseDelivery } from './webhook-events.js';

/** The whole delivery in one job (deliveries queued before thread lanes existed). */
export const PROCESS_JOB = 'process-delivery';
/** Lane jobs declared in the manifest; `threadConcurrency` says how many are used. */
export const MAX_THREAD_LANES = 8;
export const laneJob = (lane: number) => `process-lane-${lane}`;

/** What a lane job processes: the events of `deliveryId` whose thread falls in `lane` of `lanes`. */
export interface LaneWork {
  lane: number;
  lanes: number;
}

/**
 * The lane a thread's events are processed in, out of `lanes`: always the same for one thread,
 * so its events are handled one after another, in the order they came; different threads
 * spread over the lanes and proceed side by side.
 */
export function laneOf(thread: string, lanes: number): number {
  if (lanes <= 1) return 0;
  return createHash('sha1').update(thread).digest().readUInt32BE(0) % lanes;
}

/** The thread an event belongs to: the Instagram user (a DM thread is one user). */
const threadOf = (event: InstagramEvent) => event.igsid ?? '';

/**
 * Webhook deliveries: stored (encrypted) before Meta gets its 200, processed by durable jobs.
 * The same body delivered again is stored once; each event inside is handled once by its
 * dedupe key, and an event whose handling was interrupted is handled again.
 *
 * Processing runs in thread lanes: each lane is its own job queue with one worker per instance,
 * and a thread always maps to the same lane. So a slow reply in one thread (an LLM call) holds
 * up only the threads of its lane, while one thread's messages are still handled in order.
 * A delivery with events of several threads gets one job per lane it touches, and is marked
 * processed by whichever of them finishes its last event.
 */
export class WebhookInbox {
  constructor(
    private readonly deps: {
      db: Sequelize;
      crypto: Crypto;
      jobs: () => Jobs;
      agent: InstagramAgent;
      logger: Logger;
      /** How many lanes to use (1 to MAX_THREAD_LANES): the thread concurrency per instance. */
      lanes: () => number;
    },
  ) {}

  /** Stores a verified delivery and queues its processing; a redelivered body is a no-op. */
  async accept(rawBody: string): Promise<{ deliveryId: string; duplicate: boolean }> {
    const sha = createHash('sha256').update(rawBody).digest('hex');
    const rows = await this.deps.db.query<{ id: string }>(
      `INSERT INTO instagram_deliveries (body_sha256, body_encrypted) VALUES ($1, $2)
       ON CONFLICT (body_sha256) DO NOTHING RETURNING id`,
      { bind: [sha, this.deps.crypto.encrypt(rawBody)], type: QueryTypes.SELECT },
    );
    if (!rows[0]) {
      const [existing] = await this.deps.db.query<{ id: string }>(
        `SELECT id FROM instagram_deliveries WHERE body_sha256 = $1`,
        {
          bind: [sha],
          type: QueryTypes.SELECT,
        },
      );
      return { deliveryId: String(existing!.id), duplicate: true };
    }
    const deliveryId = String(rows[0].id);
    await this.dispatch(deliveryId, rawBody, false);
    return { deliveryId, duplicate: false };
  }

  /**
   * Queues one job per lane the delivery's threads fall in. A body that does not parse goes
   * to lane 0, whose job records it as bad. `again`: a lane job still queued is not doubled.
   */
  private async dispatch(deliveryId: string, rawBody: string, again: boolean): Promise<void> {
    const lanes = Math.min(MAX_THREAD_LANES, Math.max(1, this.deps.lanes()));
    let used = new Set([0]);
    try {
      const parsed = parseDelivery(JSON.parse(rawBody));
      if (parsed.ok && parsed.events.length)
        used = new Set(parsed.events.map((event) => laneOf(threadOf(event), lanes)));
    } catch {
      // Not JSON: lane 0 records it as bad.
    }
    for (const lane of [...used].sort((a, b) => a - b)) {
      const work: LaneWork & { deliveryId: string } = { deliveryId, lane, lanes };
      await this.deps
        .jobs()
        .send(laneJob(lane), work, again ? { singletonKey: `${deliveryId}:${lane}` } : undefined);
    }
  }

  /** Re-queues deliveries still pending (after a crash between storing and queueing, or at start). */
  async requeuePending(olderThanSeconds: number): Promise<number> {
    const rows = await this.deps.db.query<{ id: string; body_encrypted: string }>(
      `SELECT id, body_encrypted FROM instagram_deliveries
        WHERE status = 'pending' AND received_at <= now() - make_interval(secs => $1)
        ORDER BY id LIMIT 1000`,
      { bind: [olderThanSeconds], type: QueryTypes.SELECT },
    );
    for (const row of rows) {
      let body = '';
      try {
        body = this.deps.crypto.decrypt(row.body_encrypted);
      } catch {
        // Lane 0 records it as bad.
      }
      await this.dispatch(String(row.id), body, true);
    }
    return rows.length;
  }

  /** Forgets processed deliveries (and their dedupe keys) after `days`: Meta redelivers within hours. */
  async pruneProcessed(days: number): Promise<void> {
    await this.deps.db.query(
      `DELETE FROM instagram_deliveries WHERE status <> 'pending' AND processed_at < now() - make_interval(days => $1)`,
      { bind: [days] },
    );
  }

  /** Handles the delivery's events of one lane (`only`), or all of them, in order. */
  async process(deliveryId: string, only?: LaneWork): Promise<void> {
    const [row] = await this.deps.db.query<{ body_encrypted: string; status: string }>(
      `UPDATE instagram_deliveries SET attempts = attempts + 1 WHERE id = $1 RETURNING body_encrypted, status`,
      { bind: [deliveryId], type: QueryTypes.SELECT },
    );
    if (row?.status !== 'pending') return;
    let body: unknown;
    try {
      body = JSON.parse(this.deps.crypto.decrypt(row.body_encrypted));
    } catch {
      return this.markBad(deliveryId, 'body is not JSON');
    }
    const parsed = parseDelivery(body);
    if (!parsed.ok) return this.markBad(deliveryId, parsed.error);
    const mine = only
      ? parsed.events.filter((event) => laneOf(threadOf(event), only.lanes) === only.lane)
      : parsed.events;
    for (const event of mine) await this.handleOnce(deliveryId, event);
    // Processed once every event is handled, whichever lane finished last (each lane's own
    // updates are committed before it looks, so the last one to look sees them all).
    const keys = [...new Set(parsed.events.map((event) => event.dedupeKey))];
    await this.deps.db.query(
      `UPDATE instagram_deliveries SET status = 'processed', processed_at = now()
        WHERE id = $1 AND status = 'pending'
          AND (SELECT count(*) FROM instagram_events WHERE dedupe_key = ANY($2) AND status = 'handled') = $3`,
      { bind: [deliveryId, keys, keys.length] },
    );
  }

  private async handleOnce(deliveryId: string, event: InstagramEvent) {
    const detail =
      event.kind === 'unknown'
        ? { field: event.field, summary: event.summary }
        : event.kind === 'reaction'
          ? { action: event.action }
          : {};
    await this.deps.db.query(
      `INSERT INTO instagram_events (dedupe_key, delivery_id, kind, igsid, mid, standby, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (dedupe_key) DO NOTHING`,
      {
        bind: [
          event.dedupeKey,
          deliveryId,
          event.kind,
          event.igsid || null,
          'mid' in event ? (event.mid ?? null) : null,
          event.standby,
          JSON.stringify(detail),
        ],
      },
    );
    const [state] = await this.deps.db.query<{ status: string }>(
      `SELECT status FROM instagram_events WHERE dedupe_key = $1`,
      {
        bind: [event.dedupeKey],
        type: QueryTypes.SELECT,
      },
    );
    if (state?.status === 'handled') return;
    if (event.kind === 'unknown')
      this.deps.logger.info({ field: event.field }, 'unknown webhook event recorded');
    await this.deps.agent.handle(event);
    await this.deps.db.query(
      `UPDATE instagram_events SET status = 'handled', handled_at = now() WHERE dedupe_key = $1`,
      {
        bind: [event.dedupeKey],
      },
    );
  }

  private async markBad(deliveryId: string, error: string) {
    this.deps.logger.warn(
      { deliveryId, error: error.slice(0, 300) },
      'malformed webhook delivery recorded as bad',
    );
    await this.deps.db.query(
      `UPDATE instagram_deliveries SET status = 'bad', error = $2, processed_at = now() WHERE id = $1`,
      { bind: [deliveryId, error.slice(0, 2000)] },
    );
  }

  async stats() {
    const rows = await this.deps.db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM instagram_deliveries GROUP BY status`,
      { type: QueryTypes.SELECT },
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
