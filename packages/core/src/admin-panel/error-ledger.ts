import { QueryTypes, type Sequelize } from 'sequelize';
import type { ErrorReportContext } from '../errors/error-reporter.js';
import { scrubText, sensitiveNeedles } from '../errors/scrub-report.js';
import type { StartableErrorReporter } from '../errors/sentry-reporter.js';
import { ERROR_EVENTS_TABLE, ERRORS_DAILY_TABLE } from '../http/migrations.js';

export const ERRORS_RETENTION_DAYS = 90;
/** Recent errors kept for the dashboard; older ones leave as new ones come. */
export const RECENT_ERRORS_KEPT = 500;
const MAX_MESSAGE = 300;

export interface ErrorDay {
  day: string;
  source: string;
  /** '' when no plugin was to blame (core). */
  plugin: string;
  errors: number;
}

export interface RecentError {
  id: string;
  at: Date;
  source: string;
  plugin: string | null;
  /** The error's class name. */
  kind: string;
  code: string | null;
  /** The route, job or update type it happened in (never ids or user data). */
  location: string | null;
  correlationId: string | null;
  /** Scrubbed and cut; for admins only (it may still echo what a user wrote). */
  message?: string | null;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Errors the boundaries could not handle (update handlers, HTTP routes, jobs), counted per UTC
 * day, source and plugin, with the latest few hundred kept, for the dashboard. In the database,
 * so every instance adds to the same numbers.
 */
export class ErrorLedger {
  private purgedOn = '';
  private sinceTrim = 0;

  constructor(
    private readonly sequelize: () => Sequelize | undefined,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one error; never throws (recording must not add a failure to a failure). */
  record(error: unknown, context: ErrorReportContext): void {
    const sequelize = this.sequelize();
    if (!sequelize) return;
    this.write(sequelize, error, context).catch(this.onError);
  }

  private async write(sequelize: Sequelize, error: unknown, context: ErrorReportContext): Promise<void> {
    const at = this.now();
    const day = utcDay(at);
    const plugin = (context.plugin ?? '').slice(0, 64);
    const err = error instanceof Error ? error : new Error(String(error));
    const code = (err as { code?: unknown }).code;
    const location = context.route ?? context.job ?? context.updateType ?? null;
    await sequelize.query(
      `INSERT INTO ${ERRORS_DAILY_TABLE} (day, source, plugin, errors) VALUES (:day, :source, :plugin, 1)
       ON CONFLICT (day, source, plugin) DO UPDATE SET errors = ${ERRORS_DAILY_TABLE}.errors + 1`,
      { replacements: { day, source: context.source, plugin } },
    );
    await sequelize.query(
      `INSERT INTO ${ERROR_EVENTS_TABLE} (at, source, plugin, kind, code, location, correlation_id, message)
       VALUES (:at, :source, :plugin, :kind, :code, :location, :correlationId, :message)`,
      {
        replacements: {
          at: new Date(at),
          source: context.source,
          plugin: plugin || null,
          kind: (err.constructor?.name || err.name || 'Error').slice(0, 128),
          code: typeof code === 'string' || typeof code === 'number' ? String(code).slice(0, 128) : null,
          location: location ? String(location).slice(0, 256) : null,
          correlationId: context.correlationId?.slice(0, 128) ?? null,
          message: scrubText(err.message ?? '', sensitiveNeedles(context.sensitive)).slice(0, MAX_MESSAGE),
        },
      },
    );
    if (++this.sinceTrim >= 50) {
      this.sinceTrim = 0;
      await sequelize.query(
        `DELETE FROM ${ERROR_EVENTS_TABLE} WHERE id <= (SELECT max(id) FROM ${ERROR_EVENTS_TABLE}) - :kept`,
        { replacements: { kept: RECENT_ERRORS_KEPT } },
      );
    }
    if (this.purgedOn !== day) {
      this.purgedOn = day;
      await sequelize.query(`DELETE FROM ${ERRORS_DAILY_TABLE} WHERE day < :cutoff`, {
        replacements: { cutoff: utcDay(at - ERRORS_RETENTION_DAYS * 86_400_000) },
      });
    }
  }

  async days(count: number): Promise<ErrorDay[]> {
    const sequelize = this.sequelize();
    if (!sequelize) return [];
    const rows = await sequelize.query<{ day: string; source: string; plugin: string; errors: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, source, plugin, errors FROM ${ERRORS_DAILY_TABLE}
        WHERE day >= :from ORDER BY day, source, plugin`,
      { replacements: { from: utcDay(this.now() - (count - 1) * 86_400_000) }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ ...r, errors: Number(r.errors) }));
  }

  async recent(limit: number, withMessage: boolean): Promise<RecentError[]> {
    const sequelize = this.sequelize();
    if (!sequelize) return [];
    const rows = await sequelize.query<{
      id: string;
      at: Date;
      source: string;
      plugin: string | null;
      kind: string;
      code: string | null;
      location: string | null;
      correlation_id: string | null;
      message: string | null;
    }>(`SELECT * FROM ${ERROR_EVENTS_TABLE} ORDER BY id DESC LIMIT :limit`, {
      replacements: { limit },
      type: QueryTypes.SELECT,
    });
    return rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at),
      source: r.source,
      plugin: r.plugin,
      kind: r.kind,
      code: r.code,
      location: r.location,
      correlationId: r.correlation_id,
      ...(withMessage ? { message: r.message } : {}),
    }));
  }
}

/**
 * The app's error reporter with the ledger in front: every error the boundaries report is
 * counted for the dashboard, and still goes on to Sentry when that is configured.
 */
export function withErrorLedger(inner: StartableErrorReporter, ledger: ErrorLedger): StartableErrorReporter {
  return {
    // Always on, so the boundaries report to the ledger even without Sentry.
    enabled: true,
    report(error, context) {
      ledger.record(error, context);
      if (inner.enabled) inner.report(error, context);
    },
    flush: (timeoutMs) => inner.flush(timeoutMs),
    start: () => inner.start(),
    close: () => inner.close(),
  };
}
