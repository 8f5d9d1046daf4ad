/** Where an unhandled error was caught, for the error tracker's tags. */
export interface ErrorReportContext {
  source: 'update' | 'http' | 'job';
  /** The plugin whose handler, route or job failed (when known). */
  plugin?: string;
  /** The id users see as "Error ID" (updates) or the X-Request-Id (HTTP). */
  correlationId?: string;
  updateType?: string;
  /** HTTP: `METHOD /route/pattern` (ids are never in it). */
  route?: string;
  job?: string;
  attempt?: number;
  /**
   * Strings known to be user data (message text, names, request fields, job payload): cut out
   * of the report wherever they appear, on top of the pattern scrubbing.
   */
  sensitive?: string[];
}

/**
 * Port of core's error tracking (Sentry, GlitchTip). The boundaries (update error boundary,
 * HTTP error middleware, job runner) report what they could not handle; reporting never throws.
 */
export interface ErrorReporter {
  readonly enabled: boolean;
  report(error: unknown, context: ErrorReportContext): void;
  /** Waits until queued reports are sent (bounded). */
  flush(timeoutMs?: number): Promise<boolean>;
}

export const noopErrorReporter: ErrorReporter = {
  enabled: false,
  report() {},
  flush: async () => true,
};
