import { BootError } from '../errors/botloom-error.js';

/** One reason the app cannot boot; many are collected and reported together. */
export interface BootProblem {
  /** Stable code, e.g. MISSING_DEPENDENCY, DEPENDENCY_CYCLE, INVALID_CONFIG. */
  code: string;
  /** The plugin at fault ('core' for core settings), when known. */
  plugin?: string;
  message: string;
}

/**
 * One BootError for every problem found. Its code is the problems' code when they share one,
 * BOOT_FAILED otherwise; `details.problems` lists them all.
 */
export function bootErrorFrom(problems: BootProblem[], headline = 'Botloom cannot start'): BootError {
  const codes = new Set(problems.map((p) => p.code));
  const code = codes.size === 1 ? [...codes][0]! : 'BOOT_FAILED';
  const lines = problems.map((p) => `  - [${p.code}]${p.plugin ? ` ${p.plugin}:` : ''} ${p.message}`);
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new BootError(code, `${headline} (${count}):\n${lines.join('\n')}`, { details: { problems } });
}

export function problemsOf(error: unknown): BootProblem[] | undefined {
  if (!(error instanceof BootError)) return undefined;
  const details = error.details as { problems?: BootProblem[] } | undefined;
  return details?.problems;
}
