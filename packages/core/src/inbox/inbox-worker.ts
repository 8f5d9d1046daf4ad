import { randomUUID } from 'node:crypto';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import type { SendLog } from '../bot/send-ledger.js';
import type { WindowDecision } from '../kv/kv-window.js';
import type { Clock, IntakeLessee, LeasedUpdate, PrefetchedSession, UpdateInbox } from './update-inbox.js';

/** One attempt at an update, as the handler sees it. */
export interface DeliveryAttempt {
  /** 1 for the first attempt. */
  number: number;
  /** No retry follows a failure of this attempt: the user is to be told. */
  final: boolean;
  /** The update's send ledger: what earlier attempts sent, where this one records its sends. */
  sends?: SendLog;
  /** The per-user rate limit, decided when the update was stored. */
  rate?: WindowDecision;
  /** The chat's session, read with the lease. */
  session?: PrefetchedSession;
}

/** What became of one attempt. `retryable: false` = something was already sent, do not repeat it. */
export type HandleOutcome =
  | {
      ok: true;
      /** KV entries (the chat's session) to write with the done mark, in its transaction. */
      writes?: Array<{ key: string; value: string }>;
    }
  | { ok: false; error: unknown; retryable: boolean };

/** Runs one update through the bot pipeline (the port the worker drives). */
export type UpdateHandler = (update: Update, attempt: DeliveryAttempt) => Promise<HandleOutcome>;

export interface InboxWorkerOptions {
  inbox: UpdateInbox;
  handle: UpdateHandler;
  logger: Logger;
  clock?: Clock;
  /** How long a taken update stays reserved without renewal (renewed every third of it while handling). */
  leaseMs: number;
  /** Attempts before an update is dead-lettered. */
  maxAttempts: number;
  /** Updates handled at once (of different chats). */
  concurrency: number;
  /** Fallback: how often an idle worker looks for due retries and expired leases. */
  pollIntervalMs: number;
  /** Delay before attempt n+1 after attempt n failed. Default 2 s doubling, at most 5 min. */
  backoffMs?: (attempt: number) => number;
  /** Done rows older than this are pruned (hourly, and on `prune()`). */
  retentionMs: number;
  pruneIntervalMs?: number;
  /** Called with what became of each attempt (for metrics). */
  onOutcome?(outcome: 'done' | 'retry' | 'dead'): void;
}

export function exponentialBackoff(baseMs: number, maxMs: number): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** A wake-up that is not lost when it arrives before someone waits for it. */
class Signal {
  private raised = false;
  private waiter?: () => void;

  raise(): void {
    this.raised = true;
    this.waiter?.();
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.raised) {
      this.raised = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.waiter = undefined;
        self.raised = false;
        resolve();
      }
      this.waiter = done;
    });
  }
}

/**
 * Handles updates from the inbox: runs what this instance's intake leased at once (as the
 * inbox's lessee) and what it leases itself (per-chat order is the inbox's claim), renews the
 * leases while handlers run, then marks each done (that statement also claims into the freed
 * slots), schedules a retry with backoff, or dead-letters it. Claims on its own only when
 * something may be waiting: `wake()` (an update stored here but not leased), a done chat with
 * a pending update, a failure; otherwise it polls every `pollIntervalMs` (retries that fell
 * due, leases of dead instances, updates stored by other instances).
 */
export class InboxWorker implements IntakeLessee {
  /** Lease owner id of this worker (one per process start). */
  readonly owner = `${process.pid}:${randomUUID()}`;
  /** Slots promised to an intake statement in flight (its leased updates arrive by `adopt`). */
  private reserved = 0;
  /** Something may be claimable: set by `wake()`, cleared when a claim came back short. */
  private claimable = true;
  /** Handled updates whose done statement runs: their slots free as it commits. */
  private finishing = 0;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly backoff: (attempt: number) => number;
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly signal = new Signal();
  private loop?: Promise<void>;
  private stopping = false;
  private renewTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;

  constructor(private readonly options: InboxWorkerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.log = options.logger.child({ component: 'inbox' });
    this.backoff = options.backoffMs ?? exponentialBackoff(2000, 300_000);
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
    const renewEvery = Math.max(100, Math.floor(this.options.leaseMs / 3));
    this.renewTimer = setInterval(() => void this.renewLeases(), renewEvery);
    this.renewTimer.unref();
    this.pruneTimer = setInterval(
      () => void this.prune().catch(() => {}),
      this.options.pruneIntervalMs ?? 3_600_000,
    );
    this.pruneTimer.unref();
  }

  get leaseMs(): number {
    return this.options.leaseMs;
  }

  /** Something may be claimable now. */
  wake(): void {
    this.claimable = true;
    this.signal.raise();
  }

  private free(): number {
    return this.options.concurrency - this.inFlight.size + this.finishing - this.reserved;
  }

  reserve(wanted: number): number {
    if (!this.loop || this.stopping) return 0;
    const slots = Math.max(0, Math.min(wanted, this.free()));
    this.reserved += slots;
    return slots;
  }

  reserveClaim(wanted: number): number {
    // Always worth it in a done statement: the next update of a chat just finished is often
    // pending behind it (stored while it ran), and an empty claim there costs no round trip.
    const slots = this.reserve(wanted);
    if (slots > 0) this.claimable = false;
    return slots;
  }

  adopt(leased: LeasedUpdate[], reserved: number, claimed = false): void {
    this.reserved -= reserved;
    // A claim that filled every slot it had may have left more waiting.
    if (claimed && reserved > 0 && leased.length === reserved) this.claimable = true;
    for (const item of leased) this.spawn(item);
  }

  /** Stops claiming, then waits for the updates being handled (they are marked done). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signal.raise();
    clearInterval(this.pruneTimer);
    await this.loop;
    this.loop = undefined;
    while (this.inFlight.size > 0 || this.reserved > 0) {
      if (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
      else await new Promise((resolve) => setTimeout(resolve, 10)); // an intake statement in flight
    }
    clearInterval(this.renewTimer);
  }

  /** Updates this worker is handling right now. */
  busy(): number {
    return this.inFlight.size;
  }

  /**
   * Handles what is claimable now until nothing is (tests, benchmarks, a worker that is not
   * started). Retries not yet due and live leases of others are left alone.
   */
  async drain(): Promise<void> {
    for (;;) {
      const taken = await this.claimAndRun();
      if (taken === 0 && this.inFlight.size === 0) return;
      if (this.inFlight.size > 0) await Promise.race(this.inFlight.values());
    }
  }

  /** Deletes done rows past the retention. */
  async prune(): Promise<number> {
    const removed = await this.options.inbox.pruneDone(
      new Date(this.clock().getTime() - this.options.retentionMs),
    );
    if (removed > 0) this.log.debug({ removed }, 'pruned handled updates');
    return removed;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let taken = 0;
      try {
        taken = await this.claimAndRun();
      } catch (error) {
        this.log.warn({ err: error }, 'could not take updates from the inbox; trying again');
      }
      if (this.stopping) break;
      // A full batch may mean more is waiting; otherwise sleep until woken or the fallback poll.
      if (taken > 0 && this.claimable && this.free() > 0) continue;
      await this.signal.wait(this.options.pollIntervalMs);
    }
  }

  private async claimAndRun(): Promise<number> {
    const free = this.free();
    if (free <= 0) return 0;
    this.claimable = false;
    // Held while the claim runs: an intake or done statement meanwhile must not lease the same slots.
    this.reserved += free;
    let leased: LeasedUpdate[];
    try {
      leased = await this.options.inbox.claim(this.owner, free, this.options.leaseMs);
    } catch (error) {
      this.claimable = true;
      throw error;
    } finally {
      this.reserved -= free;
    }
    if (leased.length === free) this.claimable = true; // a full batch: more may be waiting
    for (const item of leased) this.spawn(item);
    return leased.length;
  }

  private spawn(item: LeasedUpdate): void {
    const task = this.handleOne(item).then((more) => {
      this.inFlight.delete(item.updateId);
      // A slot is free: claim only when something may be waiting (this chat's next update,
      // updates stored while every slot was busy), not after every update.
      if (more) this.claimable = true;
      if (this.claimable) this.signal.raise();
    });
    this.inFlight.set(item.updateId, task);
  }

  /** Handles one leased update; true when a claim may find something now (its chat goes on). */
  private async handleOne(item: LeasedUpdate): Promise<boolean> {
    const { inbox, maxAttempts } = this.options;
    const meta = { updateId: item.updateId, updateType: item.updateType, attempt: item.attempts };
    try {
      if (item.attempts > maxAttempts) {
        // Taken again after its last attempt's lease ran out: that attempt never finished
        // (the instance died or hung on it). Running it again could crash the next one too.
        await inbox.markDead(this.owner, item.updateId, new Error('lease expired during the last attempt'));
        this.options.onOutcome?.('dead');
        this.log.warn(meta, 'update dead-lettered: its last attempt never finished');
        return true;
      }
      const final = item.attempts >= maxAttempts;
      const sends: SendLog = {
        earlier: () => inbox.sendsOf(item.updateId),
        record: (send) => inbox.recordSend(item.updateId, send),
      };
      const outcome = await this.options.handle(item.update, {
        number: item.attempts,
        final,
        sends,
        rate: item.rate,
        session: item.session,
      });
      if (outcome.ok) {
        this.options.onOutcome?.('done');
        // Its slot may take the next update in the same statement (see reserveClaim).
        this.finishing++;
        let result: Awaited<ReturnType<UpdateInbox['finish']>>;
        try {
          result = await inbox.finish(this.owner, item.updateId, outcome.writes);
        } finally {
          this.finishing--;
        }
        if (!result.done)
          this.log.warn(
            meta,
            'update handled after its lease was lost; another instance may handle it again',
          );
        return result.nextPending;
      }
      if (outcome.retryable && !final) {
        const delayMs = this.backoff(item.attempts);
        await inbox.scheduleRetry(
          this.owner,
          item.updateId,
          outcome.error,
          new Date(this.clock().getTime() + delayMs),
        );
        this.options.onOutcome?.('retry');
        this.log.info({ ...meta, retryInMs: delayMs }, 'update failed; retrying later');
        return false;
      }
      await inbox.markDead(this.owner, item.updateId, outcome.error);
      this.options.onOutcome?.('dead');
      // Metadata only: the error message may quote user text (admins see it in the admin API).
      this.log.warn(
        { ...meta, errorName: (outcome.error as Error)?.name, afterReply: !outcome.retryable },
        'update dead-lettered',
      );
      return true;
    } catch (error) {
      // The inbox is unreachable: the lease runs out and the update is taken again.
      this.log.warn({ ...meta, err: error }, 'could not record the outcome of an update');
      return true;
    }
  }

  private async renewLeases(): Promise<void> {
    const ids = [...this.inFlight.keys()];
    if (ids.length === 0) return;
    try {
      await this.options.inbox.renew(this.owner, ids, this.options.leaseMs);
    } catch (error) {
      this.log.warn({ err: error }, 'could not renew inbox leases');
    }
  }
}
