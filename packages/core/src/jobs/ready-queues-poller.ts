import type { Logger } from 'pino';

export interface ReadyQueuesPollerOptions {
  /** pg-boss's schema (validated by the job queue). */
  schema: string;
  /** The queues this instance works. */
  queues: string[];
  intervalMs: number;
  /** Runs one statement (pg-boss's own pool). */
  query(text: string, values: unknown[]): Promise<{ rows: Array<{ name: string }> }>;
  /** Called with the queues that have a job ready to run. */
  onReady(queues: string[]): void;
  logger: Logger;
}

/**
 * One poll for all of an instance's queues. pg-boss gives each worker its own polling loop, so
 * an app with two dozen job kinds sent two dozen fetch statements every interval while idle
 * (13 round trips a second for the reference app). This asks once per interval which queues
 * have a job ready (created or retry, its start time reached) and wakes only their workers;
 * the workers themselves poll rarely, as a fallback.
 */
export class ReadyQueuesPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly sql: string;

  constructor(private readonly options: ReadyQueuesPollerOptions) {
    // One index probe per queue (pg-boss's job_i5: name, start_after WHERE state < 'active').
    this.sql = `SELECT q.name FROM unnest($1::text[]) AS q(name)
      WHERE EXISTS (SELECT 1 FROM ${options.schema}.job j
        WHERE j.name = q.name AND j.state < 'active' AND j.start_after < now())`;
  }

  start(): void {
    if (this.timer || this.stopped || this.options.queues.length === 0) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.pollOnce().finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Asks which queues have a job ready and wakes their workers (exported for tests). */
  async pollOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      const { rows } = await this.options.query(this.sql, [this.options.queues]);
      if (rows.length && !this.stopped) this.options.onReady(rows.map((r) => r.name));
    } catch (error) {
      if (!this.stopped) this.options.logger.warn({ err: error }, 'job queue poll failed; retrying');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
