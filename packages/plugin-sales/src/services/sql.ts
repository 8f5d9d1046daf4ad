import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** Thin helpers over `sequelize.query` with positional binds ($1, $2...). */
export class Sql {
  constructor(readonly sequelize: Sequelize) {}

  async rows<R = Record<string, unknown>>(
    sql: string,
    bind: unknown[] = [],
    transaction?: Transaction,
  ): Promise<R[]> {
    return (await this.sequelize.query(sql, { bind, type: QueryTypes.SELECT, transaction })) as R[];
  }

  async one<R = Record<string, unknown>>(sql: string, bind: unknown[] = [], transaction?: Transaction) {
    return (await this.rows<R>(sql, bind, transaction))[0];
  }

  async exec(sql: string, bind: unknown[] = [], transaction?: Transaction): Promise<void> {
    await this.sequelize.query(sql, { bind, transaction });
  }

  transaction<T>(work: (t: Transaction) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(work);
  }
}
