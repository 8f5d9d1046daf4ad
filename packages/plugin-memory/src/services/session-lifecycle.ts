import type { Jobs } from '@botloom/core';
import type { Logger } from 'pino';
import type { MemoryItem, MemoryStore } from './memory-store.js';
import type { EndReason, Session, SessionService } from './session-service.js';
import type { SessionSummarizer } from './session-summarizer.js';

export const IDLE_JOB = 'session-idle';

export interface IdleJobData {
  sessionId: string;
}

export interface SummariseOutcome {
  session: Session;
  /** `done`: summary and memories stored; `empty`: nothing to remember; `pending`: the LLM failed, retried later. */
  status: 'done' | 'empty' | 'pending' | 'skipped';
  title: string | null;
  memories: MemoryItem[];
  error?: unknown;
}

/**
 * Ends sessions and turns them into long-term memory. Every active session has one idle job
 * that ends it after `idleMinutes` without messages; each message moves that job.
 */
export class SessionLifecycle {
  constructor(
    private readonly sessions: SessionService,
    private readonly memories: MemoryStore,
    private readonly summarizer: SessionSummarizer,
    private readonly jobs: Jobs | null,
    private readonly idleMinutes: number,
    private readonly logger: Logger,
  ) {}

  /** Starts a new session; an active one is ended and summarised first. */
  async start(
    userId: string,
    chatId: string,
  ): Promise<{ session: Session; previous: SummariseOutcome | null }> {
    const { session, previous } = await this.sessions.start(userId, chatId);
    let previousOutcome: SummariseOutcome | null = null;
    if (previous) {
      await this.cancelIdle(previous);
      previousOutcome = await this.summarise(previous);
    }
    await this.scheduleIdle(session);
    return { session, previous: previousOutcome };
  }

  /** Ends the user's active session (if any) and summarises it. */
  async end(userId: string, reason: EndReason): Promise<SummariseOutcome | null> {
    const active = await this.sessions.active(userId);
    if (!active) return null;
    return this.endSession(active.id, reason);
  }

  async endSession(sessionId: string, reason: EndReason): Promise<SummariseOutcome | null> {
    const ended = await this.sessions.end(sessionId, reason);
    if (!ended) return null;
    await this.cancelIdle(ended);
    return this.summarise(ended);
  }

  /**
   * Summarises an ended session into memory. Safe to call more than once and from several
   * workers: the session is claimed first, and memories of an earlier attempt are replaced.
   */
  async summarise(session: Session): Promise<SummariseOutcome> {
    if (session.summaryStatus === 'empty' || session.messageCount === 0) {
      return { session, status: 'empty', title: null, memories: [] };
    }
    if (!(await this.sessions.claimSummary(session.id))) {
      return { session, status: 'skipped', title: session.title, memories: [] };
    }
    try {
      const messages = await this.sessions.messages(session.id);
      const summary = await this.summarizer.summarise(session.userId, messages);
      await this.memories.forgetSession(session.userId, session.id);
      if (!summary) {
        await this.sessions.saveSummary(session.id, null);
        return { session, status: 'empty', title: null, memories: [] };
      }
      const memories = await this.memories.remember(session.userId, session.id, [
        { kind: 'summary', content: summary.summary },
        ...summary.facts.map((content) => ({ kind: 'fact' as const, content })),
      ]);
      await this.sessions.saveSummary(session.id, summary);
      return { session, status: 'done', title: summary.title, memories };
    } catch (error) {
      await this.sessions.releaseSummary(session.id);
      this.logger.warn({ err: error, sessionId: session.id }, 'session summary failed; it will be retried');
      return { session, status: 'pending', title: null, memories: [], error };
    }
  }

  /** (Re)schedules the idle job of an active session after activity. */
  async scheduleIdle(session: Session): Promise<void> {
    if (!this.jobs) return;
    try {
      await this.cancelIdle(session);
      const data: IdleJobData = { sessionId: session.id };
      const id = await this.jobs.send(IDLE_JOB, data, { startAfter: Math.round(this.idleMinutes * 60) });
      await this.sessions.setIdleJob(session.id, id);
      session.idleJobId = id;
    } catch (error) {
      // The sweep job ends idle sessions too; a failed schedule only delays that.
      this.logger.warn({ err: error, sessionId: session.id }, 'could not schedule the idle timeout');
    }
  }

  async cancelIdle(session: Session): Promise<void> {
    if (!this.jobs || !session.idleJobId) return;
    try {
      await this.jobs.cancel(IDLE_JOB, session.idleJobId);
    } catch (error) {
      this.logger.debug({ err: error, sessionId: session.id }, 'idle job already gone');
    }
  }

  /**
   * The idle job: ends the session when it has really been idle long enough (a job that
   * lost a race with newer activity does nothing).
   */
  async onIdleTimeout(sessionId: string, now = new Date()): Promise<SummariseOutcome | null> {
    const session = await this.sessions.get(sessionId);
    if (session?.status !== 'active') return null;
    if (now.getTime() - session.lastActivityAt.getTime() < this.idleMinutes * 60_000 - 1000) return null;
    return this.endSession(sessionId, 'idle');
  }

  /** Safety net run by cron: ends sessions whose idle job was lost, retries pending summaries. */
  async sweep(limit = 50): Promise<{ ended: SummariseOutcome[]; retried: SummariseOutcome[] }> {
    const ended: SummariseOutcome[] = [];
    for (const s of await this.sessions.idleSessions(this.idleMinutes, limit)) {
      const outcome = await this.endSession(s.id, 'idle');
      if (outcome) ended.push(outcome);
    }
    const retried: SummariseOutcome[] = [];
    for (const s of await this.sessions.pendingSummaries(limit)) {
      const outcome = await this.summarise(s);
      retried.push(outcome);
      if (outcome.status === 'pending') break; // the LLM is still failing: try again next sweep
    }
    return { ended, retried };
  }
}
