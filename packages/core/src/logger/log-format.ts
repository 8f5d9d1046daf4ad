/** How the app logger writes: short coloured lines for a person, JSON lines for a collector. */
export type LogFormat = 'pretty' | 'json';

export interface LogFormatInputs {
  /** LOG_FORMAT: an explicit choice wins. */
  requested?: LogFormat;
  /** Whether stdout is a terminal (`process.stdout.isTTY`). */
  isTTY: boolean;
  /** NODE_ENV=production: log collectors read the output, never a person. */
  production: boolean;
}

/**
 * LOG_FORMAT when set; otherwise pretty only when a person watches a terminal outside
 * production. Piped or redirected output (Docker, systemd, CI, tests) stays JSON.
 */
export function chooseLogFormat(inputs: LogFormatInputs): LogFormat {
  if (inputs.requested) return inputs.requested;
  return inputs.isTTY && !inputs.production ? 'pretty' : 'json';
}
