import { QueryTypes, type Sequelize } from 'sequelize';
import { NotFoundError } from '../errors/domain-errors.js';

export interface QueueSummary {
  name: string;
  created: number;
  retry: number;
  active: number;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface FailedJob {
  id: string;
  name: string;
  retryCount: number;
  error: string | null;
  createdOn: Date;
  completedOn: Date | null;
}

const UNDEFINED_TABLE = '42P01';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUndefinedTable(err: unknown): boolean {
  const original = (err as { original?: { code?: string }; parent?: { code?: string } }) ?? {};
  return (original.original?.code ?? original.parent?.code) === UNDEFINED_TABLE;
}

function errorText(output: unknown): string | null {
  if (output == null) return null;
  if (typeof output === 'object' && 'message' in output)
    return String((output as { message: unknown }).message);
  return JSON.stringify(output).slice(0, 2000);
}

/** Read-and-retry view of the job queue's tables (pg-boss, schema `botloom_jobs`) for the panel. */
export class JobAdmin {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly schema = 'botloom_jobs',
  ) {}

  async queues(): Promise<QueueSummary[]> {
    try {
      const rows = await this.sequelize.query<{ name: string; state: string; count: string }>(
        `SELECT name, state::text AS state, count(*) AS count FROM ${this.schema}.job GROUP BY name, state ORDER BY name`,
        { type: QueryTypes.SELECT },
      );
      const byName = new Map<string, QueueSummary>();
      for (const row of rows) {
        const q = byName.get(row.name) ?? {
          name: row.name,
          created: 0,
          retry: 0,
          active: 0,
          completed: 0,
          failed: 0,
          cancelled: 0,
        };
        if (row.state in q) (q as unknown as Record<string, number>)[row.state] = Number(row.count);
        byName.set(row.name, q);
      }
      return [...byName.values()];
    } catch (err) {
      if (isUndefinedTable(err)) return [];
      throw err;
    }
  }

  async failed(limit = 50): Promise<FailedJob[]> {
    try {
      const rows = await this.sequelize.query<{
        id: string;
        name: string;
        retry_count: number;
        output: unknown;
        created_on: Date;
        completed_on: Date | null;
      }>(
        `SELECT id, name, retry_count, output, created_on, completed_on FROM ${this.schema}.job
          WHERE state = 'failed' ORDER BY completed_on DESC NULLS LAST LIMIT :limit`,
        { replacements: { limit }, type: QueryTypes.SELECT },
      );
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        retryCount: r.retry_count,
        error: errorText(r.output),
        createdOn: new Date(r.created_on),
        completedOn: r.completed_on ? new Date(r.completed_on) : null,
      }));
    } catch (err) {
      if (isUndefinedTable(err)) return [];
      throw err;
    }
  }

  /** Puts a failed job back in the queue with one more try (what pg-boss's retry does). */
  async retry(id: string): Promise<void> {
    const rows = UUID_PATTERN.test(id)
      ? await this.sequelize.query<{ id: string }>(
          `UPDATE ${this.schema}.job SET state = 'retry', retry_limit = retry_limit + 1, start_after = now()
            WHERE id = :id AND state = 'failed' RETURNING id`,
          { replacements: { id }, type: QueryTypes.SELECT },
        )
      : [];
    if (!rows[0]) throw new NotFoundError('No failed job with this id', { code: 'JOB_NOT_FOUND' });
  }
}
