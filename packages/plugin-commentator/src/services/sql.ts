import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** Thin typed helpers over `sequelize.query` with positional bind parameters ($1, $2...). */
export class Sql {
  constructor(readonly sequelize: Sequelize) {}

  async select<T>(sql: string, bind: unknown[] = [], transaction?: Transaction): Promise<T[]> {
    return (await this.sequelize.query(sql, { bind, type: QueryTypes.SELECT, transaction })) as T[];
  }

  async one<T>(sql: string, bind: unknown[] = [], transaction?: Transaction): Promise<T | null> {
    const rows = await this.select<T>(sql, bind, transaction);
    return rows[0] ?? null;
  }

  /** Runs a statement; returns the number of affected rows where PostgreSQL reports it. */
  async execute(sql: string, bind: unknown[] = [], transaction?: Transaction): Promise<number> {
    const [, meta] = (await this.sequelize.query(sql, { bind, transaction })) as [unknown, any];
    return typeof meta?.rowCount === 'number' ? meta.rowCount : 0;
  }

  transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(fn);
  }
}
