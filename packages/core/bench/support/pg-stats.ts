import { readFile } from 'node:fs/promises';
import type pg from 'pg';

/** utime+stime (ms) of the PostgreSQL backends serving `database`, by pid (same machine only). */
export async function backendCpu(
  admin: pg.Client | undefined,
  database: string | undefined,
): Promise<Map<number, number>> {
  const result = new Map<number, number>();
  if (!admin || !database) return result;
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  for (const { pid } of rows) {
    try {
      const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      result.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // another machine, or the backend just left
    }
  }
  return result;
}

/** Transactions committed or rolled back in `database` so far (`pg_stat_database`, fresh snapshot). */
export async function xacts(admin: pg.Client | undefined, database: string | undefined): Promise<number> {
  if (!admin || !database) return 0;
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await admin.query(
    'SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = $1',
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}
