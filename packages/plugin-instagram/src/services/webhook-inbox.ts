import { createHash } from 'node:crypto';
import type { Crypto, Jobs } from '@botloom/core';
import type { Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { InstagramAgent } from './instagram-agent.js';
import { type InstagramEvent, parseDelivery } from './webhook-events.js';

export const PROCESS_JOB = 'process-delivery';

/**
 * Webhook deliveries: stored (encrypted) before Meta gets its 200, processed by a durable job.
 * The same body delivered again is stored once; each event inside is handled once by its
 * dedupe key, and an event whose handling was interrupted is handled again.
 */
export class WebhookInbox {
  constructor(
    private readonly deps: {
      db: Sequelize;
      crypto: Crypto;
      jobs: () => Jobs;
      agent: InstagramAgent;
      logger: Logger;
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
    await this.deps.jobs().send(PROCESS_JOB, { deliveryId });
    return { deliveryId, duplicate: false };
  }

  /** Re-queues deliveries still pending (after a crash between storing and queueing, or at start). */
  async requeuePending(olderThanSeconds: number): Promise<number> {
    const rows = await this.deps.db.query<{ id: string }>(
      `SELECT id FROM instagram_deliveries WHERE status = 'pending' AND received_at <= now() - make_interval(secs => $1)
        ORDER BY id LIMIT 1000`,
      { bind: [olderThanSeconds], type: QueryTypes.SELECT },
    );
    for (const row of rows) await this.deps.jobs().send(PROCESS_JOB, { deliveryId: String(row.id) });
    return rows.length;
  }

  /** Forgets processed deliveries (and their dedupe keys) after `days`: Meta redelivers within hours. */
  async pruneProcessed(days: number): Promise<void> {
    await this.deps.db.query(
      `DELETE FROM instagram_deliveries WHERE status <> 'pending' AND processed_at < now() - make_interval(days => $1)`,
      { bind: [days] },
    );
  }

  async process(deliveryId: string): Promise<void> {
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
    for (const event of parsed.events) await this.handleOnce(deliveryId, event);
    await this.deps.db.query(
      `UPDATE instagram_deliveries SET status = 'processed', processed_at = now() WHERE id = $1`,
      {
        bind: [deliveryId],
      },
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
