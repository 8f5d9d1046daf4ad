import type { Logger } from 'pino';
import { Deadline } from './deadline.js';

/** One named part of the app's start; its `stop` undoes it (and must cope with a partial start). */
export interface BootStep {
  name: string;
  /**
   * Begins, as the boot begins, work that needs none of the steps before this one (it must not
   * throw; `start` awaits the work and reports its failure). A prestarted step is stopped
   * with the others even when the boot fails before reaching it.
   */
  prestart?(): void;
  start(): Promise<void> | void;
  stop?(): Promise<unknown> | unknown;
}

/**
 * Runs boot steps in order and stops the ones that began, in reverse order, so the shutdown
 * order is always the start order read backwards.
 */
export class BootSequence {
  private begun: BootStep[] = [];
  private prestarted = new Set<BootStep>();
  /** Milliseconds each step's start took, in start order: where a slow boot spends its time. */
  readonly durations: Record<string, number> = {};

  constructor(
    private readonly steps: readonly BootStep[],
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (const step of this.steps) {
      if (!step.prestart) continue;
      this.prestarted.add(step);
      step.prestart();
    }
    for (const step of this.steps) {
      // Recorded before it runs: a step that fails half-way is still stopped.
      this.begun.push(step);
      const started = performance.now();
      await step.start();
      this.durations[step.name] = Math.round(performance.now() - started);
    }
  }

  /** Every stop runs; each failure is logged; together they are bounded by `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    const deadline = new Deadline(timeoutMs);
    const begun = new Set([...this.begun, ...this.prestarted]);
    const steps = this.steps.filter((step) => begun.has(step)).reverse();
    this.begun = [];
    this.prestarted.clear();
    for (const step of steps) {
      if (!step.stop) continue;
      try {
        const outcome = await deadline.run(() => step.stop!());
        if (outcome === 'timeout')
          this.logger.error({ step: step.name }, `shutdown step "${step.name}" exceeded SHUTDOWN_TIMEOUT_MS`);
      } catch (err) {
        this.logger.error({ err, step: step.name }, `shutdown step "${step.name}" failed`);
      }
    }
  }

  names(): string[] {
    return this.steps.map((s) => s.name);
  }
}
