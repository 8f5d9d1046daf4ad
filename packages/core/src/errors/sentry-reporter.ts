import type { Logger } from 'pino';
import { CORE_VERSION } from '../version.js';
import { type ErrorReportContext, type ErrorReporter, noopErrorReporter } from './error-reporter.js';
import { importOptional } from './optional-dependency.js';
import { type ReportEvent, scrubEvent, scrubText, sensitiveNeedles } from './scrub-report.js';

export interface SentrySettings {
  SENTRY_DSN?: string;
  SENTRY_ENVIRONMENT?: string;
  SENTRY_RELEASE?: string;
  SENTRY_SAMPLE_RATE: number;
  NODE_ENV: string;
}

export interface StartableErrorReporter extends ErrorReporter {
  /** Loads the SDK (only when a DSN is set). Reports before this are dropped. */
  start(): Promise<void>;
  /** Sends what is queued (bounded) and releases the client. */
  close(timeoutMs?: number): Promise<void>;
}

const SENSITIVE_HINT = Symbol('botloom.sensitive');

/**
 * Error tracking over @sentry/node (works with GlitchTip too: same DSN and envelope protocol).
 * Without SENTRY_DSN nothing is imported. With it, a client of its own is used, not Sentry's
 * global init: no auto-instrumentation, no process handlers, no breadcrumbs; only what the
 * boundaries report, scrubbed in beforeSend.
 */
export function createErrorReporter(options: {
  config: SentrySettings;
  logger: Logger;
  /** Plugin ids and versions, sent as context. */
  plugins?: Array<{ id: string; version?: string }>;
}): StartableErrorReporter {
  const { config } = options;
  const logger = options.logger.child({ component: 'error-tracking' });
  if (!config.SENTRY_DSN) {
    return { ...noopErrorReporter, start: async () => {}, close: async () => {} };
  }
  let client: import('@sentry/node').NodeClient | undefined;
  let scope: import('@sentry/node').Scope | undefined;

  const reporter: StartableErrorReporter = {
    get enabled() {
      return client !== undefined;
    },
    async start() {
      if (client) return;
      // An optional peer dependency: installed by apps that set SENTRY_DSN.
      const Sentry = await importOptional(() => import('@sentry/node'), 'Error tracking (SENTRY_DSN)', {
        '@sentry/node': '^11.12.0',
      });
      const plugins = Object.fromEntries((options.plugins ?? []).map((p) => [p.id, p.version ?? '']));
      client = new Sentry.NodeClient({
        dsn: config.SENTRY_DSN,
        release: config.SENTRY_RELEASE ?? `botloom-core@${CORE_VERSION}`,
        environment: config.SENTRY_ENVIRONMENT ?? config.NODE_ENV,
        sampleRate: config.SENTRY_SAMPLE_RATE,
        transport: Sentry.makeNodeTransport,
        stackParser: Sentry.defaultStackParser,
        integrations: [Sentry.linkedErrorsIntegration()],
        sendDefaultPii: false,
        includeServerName: false,
        enableRuntimeChannelInjection: false,
        maxBreadcrumbs: 0,
        sendClientReports: false,
        beforeBreadcrumb: () => null,
        beforeSend: (event, hint) => {
          const sensitive = (hint?.data as { [SENSITIVE_HINT]?: string[] } | undefined)?.[SENSITIVE_HINT];
          return scrubEvent(event as unknown as ReportEvent, sensitive) as unknown as typeof event;
        },
      } as ConstructorParameters<typeof Sentry.NodeClient>[0]);
      scope = new Sentry.Scope();
      scope.setClient(client);
      scope.setContext('botloom', { core: CORE_VERSION, plugins });
      client.init();
      logger.info(
        { sampleRate: config.SENTRY_SAMPLE_RATE },
        'error tracking: reporting unhandled errors to Sentry',
      );
    },
    report(error: unknown, context: ErrorReportContext) {
      if (!scope) return;
      try {
        const eventScope = scope.clone();
        const needles = sensitiveNeedles(context.sensitive);
        const tags: Record<string, string | number | undefined> = {
          source: context.source,
          plugin: context.plugin,
          correlation_id: context.correlationId,
          update_type: context.updateType,
          route: context.route && scrubText(context.route, needles),
          job: context.job,
          job_attempt: context.attempt,
        };
        for (const [key, value] of Object.entries(tags))
          if (value !== undefined) eventScope.setTag(key, String(value));
        const exception =
          error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'Non-error thrown');
        eventScope.captureException(exception, { data: { [SENSITIVE_HINT]: context.sensitive ?? [] } });
      } catch (reportError) {
        logger.warn(
          { err: { message: (reportError as Error)?.message } },
          'could not report an error to Sentry',
        );
      }
    },
    async flush(timeoutMs = 2000) {
      return client ? client.flush(timeoutMs) : true;
    },
    async close(timeoutMs = 2000) {
      const current = client;
      client = undefined;
      scope = undefined;
      await current?.close(timeoutMs);
    },
  };
  return reporter;
}
