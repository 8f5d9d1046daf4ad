import { ExposedTokens } from '../../di/container.js';
import { type BootProblem, bootErrorFrom } from '../../plugin/boot-problems.js';
import { hookProblem } from '../../plugin/invoke-hook.js';
import { ServiceExposure } from '../../plugin/service-wiring.js';
import type { BootContext } from '../boot-context.js';
import type { BootStep } from '../boot-sequence.js';

/** The plugins' hooks as boot steps: register, the services stage, their jobs and the job workers, and each plugin's start/stop. */
export function pluginSteps(ctx: BootContext) {
  const { root, runtimes, running } = ctx;

  const registerStep: BootStep = {
    name: 'register',
    async start() {
      const exposed = new ExposedTokens();
      const failures: BootProblem[] = [];
      for (const runtime of runtimes) {
        const register = runtime.manifest.register;
        if (!register) continue;
        try {
          await register({
            ...runtime.baseContext,
            container: runtime.container,
            expose: (token, factory) => exposed.expose(root, runtime, token, factory),
          });
        } catch (err) {
          failures.push(hookProblem(runtime.id, 'register', err));
        }
      }
      if (failures.length) throw bootErrorFrom(failures);
    },
  };

  /** Milliseconds of each plugin's services stage and start hook (`services <id>`, `start <id>`). */
  const pluginDurations: Record<string, number> = {};
  async function timed(name: string, fn: () => Promise<void> | void): Promise<void> {
    const started = performance.now();
    try {
      await fn();
    } finally {
      pluginDurations[name] = Math.round(performance.now() - started);
    }
  }

  const servicesStep: BootStep = {
    name: 'services',
    async start() {
      const exposure = new ServiceExposure(root);
      for (const runtime of runtimes)
        await timed(`services ${runtime.id}`, () => runtime.buildServices(exposure));
    },
  };

  const jobsStep: BootStep = {
    name: 'jobs',
    start() {
      for (const runtime of runtimes) {
        running.jobs!.register(
          runtime.id,
          runtime.jobs(),
          runtime.resolve,
          runtime.logger,
          () => runtime.services,
        );
      }
    },
  };

  const jobWorkersStep: BootStep = {
    name: 'job workers',
    start: () => running.jobs!.start(),
    stop: () => running.jobs?.stop(),
  };

  const startSteps: BootStep[] = runtimes.map((runtime) => ({
    name: `plugin ${runtime.id}`,
    async start() {
      const start = runtime.manifest.start;
      if (start)
        await timed(`start ${runtime.id}`, () => runtime.invoke('start', () => start(runtime.context)));
      runtime.logger.debug('started');
    },
    stop: runtime.manifest.stop
      ? () => runtime.invoke('stop', () => runtime.manifest.stop!(runtime.context))
      : undefined,
  }));

  return { registerStep, servicesStep, jobsStep, jobWorkersStep, startSteps, pluginDurations };
}
