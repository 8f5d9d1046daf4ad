import { Writable } from 'node:stream';
import { QueryTypes, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger/logger.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';

// Real failed queries through Sequelize and pg, logged by the app logger: the log keeps what
// diagnoses the failure (error class, PostgreSQL code, the statement kind) and loses the data.
function captureLogger() {
  const lines: any[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

const CUSTOMER = 'Ivanna Petrenko';

describe('logged database errors carry no SQL and no values', () => {
  let database: TestDatabase;
  let sequelize: Sequelize;
  beforeAll(async () => {
    database = await createTestDatabase();
    sequelize = new Sequelize(database.url, { logging: false });
    await sequelize.query('CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
    await sequelize.query("INSERT INTO customers VALUES (1, 'Ivanna Petrenko')");
  });
  afterAll(async () => {
    await sequelize?.close();
    await database?.drop();
  });

  const failures: Array<[string, () => Promise<unknown>, RegExp]> = [
    [
      'a replacement inlined into the statement',
      () =>
        sequelize.query('SELECT * FROM customers WHERE id = :id', {
          replacements: { id: CUSTOMER },
          type: QueryTypes.SELECT,
        }),
      /invalid input syntax for type bigint: "\[redacted\]"/,
    ],
    [
      'a bound parameter',
      () => sequelize.query('SELECT $1::bigint', { bind: [CUSTOMER], type: QueryTypes.SELECT }),
      /invalid input syntax/,
    ],
    [
      'a value out of range',
      () => sequelize.query("SELECT '100000000000000000000000000000'::bigint", { type: QueryTypes.SELECT }),
      /value "\[redacted\]" is out of range for type bigint/,
    ],
    [
      'a unique violation (pg puts the key in detail)',
      () => sequelize.query(`INSERT INTO customers VALUES (2, '${CUSTOMER}')`),
      /Validation error|duplicate key/,
    ],
  ];

  for (const [name, run, message] of failures) {
    it(`strips ${name}`, async () => {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      const { logger, lines } = captureLogger();
      logger.error({ err: error }, 'query failed');
      // The same error as the cause of another (how services usually rethrow).
      logger.error({ err: new Error('saving the customer failed', { cause: error }) }, 'wrapped');
      const text = JSON.stringify(lines);
      expect(text).not.toContain('Ivanna');
      expect(text).not.toContain('100000000000000000000000000000');
      expect(lines[0].err).not.toHaveProperty('sql');
      expect(lines[0].err).not.toHaveProperty('parameters');
      expect(lines[0].err).not.toHaveProperty('detail');
      expect(lines[0].err.name).toMatch(/^Sequelize/);
      expect(lines[0].err.message).toMatch(message);
      expect(lines[1].err.message).toMatch(/^saving the customer failed: /);
    });
  }

  it('keeps quoted identifiers, which name the problem and not the data', async () => {
    const error = await sequelize.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    const { logger, lines } = captureLogger();
    logger.error({ err: error }, 'query failed');
    expect(lines[0].err.message).toBe('relation "no_such_table" does not exist');
  });
});
