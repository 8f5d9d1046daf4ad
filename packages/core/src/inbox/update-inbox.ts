import type { Update } from 'grammy/types';
import type { RecordedSend } from '../bot/send-ledger.js';
import { updateType } from '../bot/update-validation.js';
import type { Crypto } from '../crypto/types.js';
import { GroupCommit } from '../db/group-commit.js';
import type { WindowDecision } from '../kv/kv-window.js';
import { DONE_FUNCTION, INTAKE_FUNCTION, UPDATE_INBOX_TABLE, UPDATE_SENDS_TABLE } from './migrations.js';

/** What the inbox needs from a PostgreSQL connection pool (`pg.Pool` fits). */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}

export type Clock = () => Date;

/** An update taken from the inbox under a lease. */
export interface LeasedUpdate {
  updateId: number;
  updateType: string;
  chatKey: string | null;
  /** Attempts so far, this one included. */
  attempts: number;
  update: Update;
  /** The per-user rate limit, decided when the update was stored (absent: not decided there). */
  rate?: WindowDecision;
  /**
   * The session of the update's chat as stored in the KV (keyv's serialized text, null when
   * there is none), read in the statement that leased the update (`sessions` option).
   */
  session?: PrefetchedSession;
}

/** A session read together with the lease of an update (see `UpdateInboxOptions.sessions`). */
export interface PrefetchedSession {
  /** The session key (`ctx.chatId ?? ctx.from.id`), without the KV namespace. */
  key: string;
  /** keyv's serialized entry, null when the chat has no session. */
  value: string | null;
}

/**
 * Work the inbox's statements do on the side, when the KV lives in the inbox's database
 * (saves a round trip per update each).
 */
export interface UpdateInboxOptions {
  /** Read each leased update's session (`botloom_kv`, keys `<prefix><session key>`) with its lease. */
  sessions?: { keyPrefix: string };
  /** Count each new update's sender against this sliding window (`botloom_rate_windows`) as it is stored. */
  rateLimit?: { keyPrefix: string; limit: number; windowMs: number };
  /** Makes sure the KV tables named above exist (awaited before statements that name them). */
  prepare?: () => Promise<void>;
}

/**
 * The worker that handles what an intake leases at once (`UpdateInbox.setLessee`): the
 * instance that stores an update whose chat has nothing else open runs it from memory,
 * without a claim round trip.
 */
export interface IntakeLessee {
  readonly owner: string;
  readonly leaseMs: number;
  /** Reserves up to `wanted` handler slots; answers how many. */
  reserve(wanted: number): number;
  /** Slots for a claim in the statement that marks updates done (which frees theirs). */
  reserveClaim(wanted: number): number;
  /** Runs what was leased; frees the `reserved` slots of reserve() it does not use. */
  adopt(leased: LeasedUpdate[], reserved: number, claimed?: boolean): void;
}

/** A KV entry written with an update's done mark (`botloom_kv`: the full key, keyv's serialized value). */
export interface KvWrite {
  key: string;
  value: string;
}

interface DoneItem {
  owner: string;
  updateId: number;
  writes: ReadonlyArray<KvWrite>;
}

/** What `finish` did with an update. */
export interface FinishResult {
  /** Marked done (false: the lease was lost). */
  done: boolean;
  /** Its chat has a pending update waiting: worth a claim now. */
  nextPending: boolean;
}

export interface DeadUpdate {
  updateId: number;
  updateType: string;
  chatKey: string | null;
  userId: number | null;
  attempts: number;
  receivedAt: string;
  deadAt: string;
  /** `Name: message` of the last failure (may quote user data: admins only). */
  error: string | null;
  /** The update itself (admins only). */
  update: Update | null;
}

export interface InboxCounts {
  pending: number;
  leased: number;
  done: number;
  dead: number;
}

const T = UPDATE_INBOX_TABLE;
const S = UPDATE_SENDS_TABLE;
const OPEN = `('pending', 'leased')`;
const MAX_ERROR_LENGTH = 2000;
/** Stored-not-leased updates kept in memory for their claim (see `UpdateInbox.storedHere`). */
const STORED_HERE_LIMIT = 1000;

/**
 * The key that orders an update among others: its chat, or its user where there is no chat
 * (inline queries, pre-checkout...). The same key the bot pipeline sequentializes by.
 */
export function chatKeyOf(update: Update): string | null {
  const payload = (update as unknown as Record<string, unknown>)[updateType(update)] as
    | Record<string, any>
    | undefined;
  const chatId = payload?.chat?.id ?? payload?.message?.chat?.id;
  if (Number.isSafeInteger(chatId)) return String(chatId);
  const userId = userIdOf(update);
  return userId === null ? null : `user:${userId}`;
}

function userIdOf(update: Update): number | null {
  const payload = (update as unknown as Record<string, unknown>)[updateType(update)] as
    | Record<string, any>
    | undefined;
  const id = payload?.from?.id ?? payload?.user?.id;
  return Number.isSafeInteger(id) ? id : null;
}

/** `Name: message` of an error, bounded, for the dead-letter record. */
export function describeFailure(error: unknown): string {
  const text =
    error instanceof Error ? `${error.name}: ${error.message}` : `Error: ${String(error ?? 'unknown')}`;
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

/** The session key of an update with this chat key (as the pipeline's `ctx.chatId ?? ctx.from.id`). */
export function sessionKeyOfChat(chatKey: string): string {
  return chatKey.startsWith('user:') ? chatKey.slice(5) : chatKey;
}

function rateDecisionOf(stored: unknown, retryAfterMs: unknown): WindowDecision | undefined {
  if (stored === 'allow') return { allowed: true };
  if (stored === 'notify' || stored === 'drop')
    return { allowed: false, notify: stored === 'notify', retryAfterMs: Number(retryAfterMs ?? 0) };
  return undefined;
}

function toIso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * The durable update inbox in PostgreSQL (table `core_update_inbox`). Updates are stored
 * once per update_id, leased to one instance at a time, in per-chat order, and end up done
 * (payload dropped, row pruned later) or dead (kept with the error until an admin retries).
 * Timestamps come from the injected clock, so leases and backoff can be tested without waiting.
 */
export class UpdateInbox {
  constructor(
    private readonly db: Queryable,
    private readonly crypto: Pick<Crypto, 'encrypt' | 'decrypt'>,
    private readonly clock: Clock = () => new Date(),
    /** Connections for the send ledger: its own, so a record is not queued behind intake. */
    private readonly sendsDb: Queryable = db,
    private readonly options: UpdateInboxOptions = {},
  ) {}

  private lessee?: IntakeLessee;
  /**
   * Updates this instance stored but did not lease (their chat had an open update, or no slot
   * was free): a claim here, usually by the done statement of the chat's previous update,
   * takes them from memory instead of decrypting and parsing the stored payload (the same
   * update: a row's payload never changes). Bounded; another instance may claim them instead.
   */
  private readonly storedHere = new Map<number, Update>();

  // Concurrent webhook requests share one intake statement, and handled updates one done
  // statement (group commit): each caller still resolves only after its own rows are written.
  private readonly stores = new GroupCommit<readonly Update[], { stored: number; leased: number }>(
    (batches) => this.storeBatches(batches),
  );
  private readonly dones = new GroupCommit<DoneItem, FinishResult>((items) => this.finishBatch(items), {
    keyOf: (item) => String(item.updateId),
  });
  private readonly sendRecords = new GroupCommit<{ updateId: number; send: RecordedSend }, undefined>(
    (items) => this.recordSendBatch(items),
    { keyOf: (item) => `${item.updateId}:${item.send.seq}` },
  );

  /**
   * From now on, intakes lease what they can to `lessee` (its free slots; updates whose chat
   * has nothing else open), which runs them from memory. Undefined: everything stays pending
   * for `claim`.
   */
  setLessee(lessee: IntakeLessee | undefined): void {
    this.lessee = lessee;
  }

  /**
   * Stores updates not seen before (by update_id); `stored` = how many were new, `leased` =
   * how many of them the lessee took at once (the rest wait for a claim).
   */
  async accept(updates: readonly Update[]): Promise<{ stored: number; leased: number }> {
    if (updates.length === 0) return { stored: 0, leased: 0 };
    return this.stores.submit(updates);
  }

  private async storeBatches(
    batches: Array<readonly Update[]>,
  ): Promise<Array<{ stored: number; leased: number }>> {
    const ids: number[] = [];
    const chats: Array<string | null> = [];
    const users: Array<number | null> = [];
    const types: string[] = [];
    const payloads: string[] = [];
    const byId = new Map<number, Update>();
    for (const update of batches.flat()) {
      ids.push(update.update_id);
      chats.push(chatKeyOf(update));
      users.push(userIdOf(update));
      types.push(updateType(update));
      payloads.push(this.crypto.encrypt(JSON.stringify(update)));
      byId.set(update.update_id, update);
    }
    await this.options.prepare?.();
    const lessee = this.lessee;
    const slots = lessee ? lessee.reserve(ids.length) : 0;
    const now = this.clock();
    const { rateLimit, sessions } = this.options;
    let rows: any[];
    try {
      ({ rows } = await this.db.query(
        `SELECT * FROM ${INTAKE_FUNCTION}($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[],
           $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          ids,
          chats,
          users,
          types,
          payloads,
          now,
          slots,
          lessee?.owner ?? null,
          lessee ? new Date(now.getTime() + lessee.leaseMs) : null,
          rateLimit ? rateLimit.keyPrefix : null,
          now.getTime(),
          rateLimit?.windowMs ?? null,
          rateLimit?.limit ?? null,
          sessions ? sessions.keyPrefix : null,
        ],
      ));
    } catch (error) {
      lessee?.adopt([], slots);
      throw error;
    }
    const leased: LeasedUpdate[] = [];
    const fresh = new Set<number>();
    for (const row of rows) {
      const updateId = Number(row.update_id);
      fresh.add(updateId);
      if (!row.leased) continue;
      const update = byId.get(updateId)!;
      const chatKey = chatKeyOf(update);
      leased.push({
        updateId,
        updateType: updateType(update),
        chatKey,
        attempts: 1,
        update,
        rate: rateDecisionOf(row.rate_decision, row.retry_after_ms),
        ...(sessions && chatKey !== null
          ? { session: { key: sessionKeyOfChat(chatKey), value: (row.session as string | null) ?? null } }
          : {}),
      });
    }
    leased.sort((a, b) => a.updateId - b.updateId);
    lessee?.adopt(leased, slots);
    const leasedIds = new Set(leased.map((l) => l.updateId));
    for (const updateId of fresh) {
      if (leasedIds.has(updateId)) continue;
      this.storedHere.set(updateId, byId.get(updateId)!);
      if (this.storedHere.size > STORED_HERE_LIMIT) {
        this.storedHere.delete(this.storedHere.keys().next().value!);
      }
    }
    // A new row counts for the first caller that brought its update_id.
    return batches.map((updates) => {
      let stored = 0;
      let taken = 0;
      for (const update of updates) {
        if (!fresh.delete(update.update_id)) continue;
        stored++;
        if (leasedIds.has(update.update_id)) taken++;
      }
      return { stored, leased: taken };
    });
  }

  /**
   * Leases up to `limit` updates to `owner` for `leaseMs`: pending ones that are due and
   * leased ones whose lease ran out (their instance died or hung), oldest first, and only
   * the first open update of each chat, so a chat's updates are handled one at a time in
   * order across instances. SKIP LOCKED lets instances claim side by side without waiting.
   */
  async claim(owner: string, limit: number, leaseMs: number): Promise<LeasedUpdate[]> {
    if (limit <= 0) return [];
    const now = this.clock();
    const sessions = this.options.sessions;
    if (sessions) await this.options.prepare?.();
    // The chat's earlier updates are done in this statement's snapshot, so their session writes are visible.
    const session = sessions
      ? `, CASE WHEN t.chat_key IS NOT NULL THEN (
           SELECT kv.value FROM botloom_kv kv
           WHERE kv.key = $5 || CASE WHEN t.chat_key LIKE 'user:%' THEN substr(t.chat_key, 6) ELSE t.chat_key END
             AND (kv.expires_at IS NULL OR kv.expires_at > now())) END AS session`
      : '';
    const { rows } = await this.db.query(
      `WITH next AS (
         SELECT u.update_id FROM ${T} u
         WHERE ((u.status = 'pending' AND u.available_at <= $1) OR (u.status = 'leased' AND u.lease_until <= $1))
           AND (u.chat_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM ${T} e
             WHERE e.chat_key = u.chat_key AND e.update_id < u.update_id AND e.status IN ${OPEN}))
         ORDER BY u.update_id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE ${T} t
       SET status = 'leased', lease_owner = $3, lease_until = $4, attempts = t.attempts + 1
       FROM next WHERE t.update_id = next.update_id
       RETURNING t.update_id, t.update_type, t.chat_key, t.attempts, t.payload, t.rate_decision${session}`,
      [now, limit, owner, new Date(now.getTime() + leaseMs), ...(sessions ? [sessions.keyPrefix] : [])],
    );
    return rows.map((row) => this.leasedFromRow(row, row.session)).sort((a, b) => a.updateId - b.updateId);
  }

  /** A row leased by a claim (payload decrypted; the session when the statement read it). */
  private leasedFromRow(row: any, session: string | null | undefined): LeasedUpdate {
    const chatKey = row.chat_key as string | null;
    const updateId = Number(row.update_id);
    const kept = this.storedHere.get(updateId);
    if (kept) this.storedHere.delete(updateId);
    return {
      updateId,
      updateType: row.update_type as string,
      chatKey,
      attempts: row.attempts as number,
      update: kept ?? (JSON.parse(this.crypto.decrypt(row.payload as string)) as Update),
      rate: rateDecisionOf(row.rate_decision, 0),
      ...(this.options.sessions && chatKey !== null
        ? { session: { key: sessionKeyOfChat(chatKey), value: session ?? null } }
        : {}),
    };
  }

  /** Extends the leases `owner` still holds (a handler that runs longer than one lease). */
  async renew(owner: string, updateIds: readonly number[], leaseMs: number): Promise<number> {
    if (updateIds.length === 0) return 0;
    const { rowCount } = await this.db.query(
      `UPDATE ${T} SET lease_until = $3
       WHERE update_id = ANY($1::bigint[]) AND status = 'leased' AND lease_owner = $2`,
      [updateIds, owner, new Date(this.clock().getTime() + leaseMs)],
    );
    return rowCount ?? 0;
  }

  /**
   * Handled: the payload is dropped, the row stays (de-duplication) until pruned; `done` is
   * false if the lease was lost. In the same statement, the KV entries the update changed (its
   * chat's session: written only while the update is still leased to `owner`); also says
   * whether its chat has a pending update waiting.
   */
  async finish(owner: string, updateId: number, writes: ReadonlyArray<KvWrite> = []): Promise<FinishResult> {
    return this.dones.submit({ owner, updateId, writes });
  }

  private async finishBatch(items: DoneItem[]): Promise<FinishResult[]> {
    const lessee = this.lessee;
    const claimSlots = lessee ? lessee.reserveClaim(items.length) : 0;
    try {
      return await this.finishAndClaim(items, lessee, claimSlots);
    } catch (error) {
      lessee?.adopt([], claimSlots, true);
      throw error;
    }
  }

  private async finishAndClaim(
    items: DoneItem[],
    lessee: IntakeLessee | undefined,
    claimSlots: number,
  ): Promise<FinishResult[]> {
    const sessions = this.options.sessions;
    if (claimSlots > 0 && sessions) await this.options.prepare?.();
    const now = this.clock();
    const writes = items.flatMap((item) =>
      item.writes.map((write) => ({ updateId: item.updateId, ...write })),
    );
    const { rows } = await this.db.query(
      `SELECT * FROM ${DONE_FUNCTION}($1::bigint[], $2::text[], $3, $4::bigint[], $5::text[], $6::text[], $7, $8, $9, $10)`,
      [
        items.map((i) => i.updateId),
        items.map((i) => i.owner),
        now,
        writes.map((w) => w.updateId),
        writes.map((w) => w.key),
        writes.map((w) => w.value),
        claimSlots,
        lessee?.owner ?? null,
        lessee ? new Date(now.getTime() + lessee.leaseMs) : null,
        claimSlots > 0 && sessions ? sessions.keyPrefix : null,
      ],
    );
    const claimed = rows.filter((row) => row.claimed).map((row) => this.leasedFromRow(row, row.session));
    claimed.sort((a, b) => a.updateId - b.updateId);
    lessee?.adopt(claimed, claimSlots, true);
    const byId = new Map(rows.filter((row) => !row.claimed).map((row) => [Number(row.update_id), row]));
    return items.map((item) => {
      const row = byId.get(item.updateId);
      return { done: row?.done === true, nextPending: row?.next_pending === true };
    });
  }

  /** Back to pending, due at `retryAt` (later updates of its chat keep waiting behind it). */
  async scheduleRetry(owner: string, updateId: number, error: unknown, retryAt: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE ${T} SET status = 'pending', available_at = $3, last_error = $4, lease_owner = NULL, lease_until = NULL
       WHERE update_id = $1 AND status = 'leased' AND lease_owner = $2`,
      [updateId, owner, retryAt, describeFailure(error)],
    );
    return rowCount === 1;
  }

  /** Dead-letters an update with its error; later updates of its chat go on. */
  async markDead(owner: string, updateId: number, error: unknown): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE ${T} SET status = 'dead', dead_at = $3, last_error = $4, lease_owner = NULL, lease_until = NULL
       WHERE update_id = $1 AND status = 'leased' AND lease_owner = $2`,
      [updateId, owner, this.clock(), describeFailure(error)],
    );
    return rowCount === 1;
  }

  /** Dead updates, newest first; `before` (an update_id) pages on. */
  async listDead(options: { limit: number; before?: number }): Promise<DeadUpdate[]> {
    const { rows } = await this.db.query(
      `SELECT update_id, update_type, chat_key, user_id, attempts, received_at, dead_at, last_error, payload
       FROM ${T} WHERE status = 'dead' AND ($2::bigint IS NULL OR update_id < $2)
       ORDER BY update_id DESC LIMIT $1`,
      [options.limit, options.before ?? null],
    );
    return rows.map((row) => ({
      updateId: Number(row.update_id),
      updateType: row.update_type,
      chatKey: row.chat_key,
      userId: row.user_id === null ? null : Number(row.user_id),
      attempts: row.attempts,
      receivedAt: toIso(row.received_at),
      deadAt: toIso(row.dead_at),
      error: row.last_error,
      update: row.payload ? (JSON.parse(this.crypto.decrypt(row.payload)) as Update) : null,
    }));
  }

  /** Puts a dead update back in line with fresh attempts; false when there is no such dead update. */
  async retryDead(updateId: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE ${T} SET status = 'pending', attempts = 0, available_at = $2, dead_at = NULL
       WHERE update_id = $1 AND status = 'dead'`,
      [updateId, this.clock()],
    );
    return rowCount === 1;
  }

  /** Records a Bot API call the handling of an update made (the send ledger). */
  async recordSend(updateId: number, send: RecordedSend): Promise<void> {
    await this.sendRecords.submit({ updateId, send });
  }

  private async recordSendBatch(
    items: Array<{ updateId: number; send: RecordedSend }>,
  ): Promise<undefined[]> {
    await this.sendsDb.query(
      `INSERT INTO ${S} (update_id, seq, method, chat, response, sent_at)
       SELECT r.update_id, r.seq, r.method, r.chat, r.response, $6
       FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[])
         AS r(update_id, seq, method, chat, response)
       ON CONFLICT (update_id, seq) DO NOTHING`,
      [
        items.map((i) => i.updateId),
        items.map((i) => i.send.seq),
        items.map((i) => i.send.method),
        items.map((i) => i.send.chat),
        items.map((i) => this.crypto.encrypt(JSON.stringify(i.send.response))),
        this.clock(),
      ],
    );
    return items.map(() => undefined);
  }

  /** The calls recorded for an update, by seq. */
  async sendsOf(updateId: number): Promise<RecordedSend[]> {
    const { rows } = await this.sendsDb.query(
      `SELECT seq, method, chat, response FROM ${S} WHERE update_id = $1 ORDER BY seq`,
      [updateId],
    );
    return rows.map((row) => ({
      seq: row.seq as number,
      method: row.method as string,
      chat: row.chat as string,
      response: JSON.parse(this.crypto.decrypt(row.response as string)),
    }));
  }

  /** Deletes done rows handled before `before` (and sends recorded before it), in batches; returns how many updates went. */
  async pruneDone(before: Date, batchSize = 5000): Promise<number> {
    for (;;) {
      const { rowCount } = await this.db.query(
        `DELETE FROM ${S} WHERE ctid IN (SELECT ctid FROM ${S} WHERE sent_at < $1 LIMIT $2)`,
        [before, batchSize],
      );
      if ((rowCount ?? 0) < batchSize) break;
    }
    let total = 0;
    for (;;) {
      const { rowCount } = await this.db.query(
        `DELETE FROM ${T} WHERE update_id IN (
           SELECT update_id FROM ${T} WHERE status = 'done' AND done_at < $1 LIMIT $2)`,
        [before, batchSize],
      );
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < batchSize) return total;
    }
  }

  /** Updates not yet handled (pending or leased), by any instance. */
  async countOpen(): Promise<number> {
    const { rows } = await this.db.query(`SELECT count(*)::int AS n FROM ${T} WHERE status IN ${OPEN}`);
    return rows[0].n as number;
  }

  async counts(): Promise<InboxCounts> {
    const { rows } = await this.db.query(`SELECT status, count(*)::int AS n FROM ${T} GROUP BY status`);
    const counts: InboxCounts = { pending: 0, leased: 0, done: 0, dead: 0 };
    for (const row of rows) counts[row.status as keyof InboxCounts] = row.n;
    return counts;
  }
}
