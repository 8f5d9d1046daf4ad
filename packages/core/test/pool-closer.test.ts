import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolCloser } from '../src/db/pool-closer.js';
import { createTestDatabase } from '../src/testing/test-database.js';

describe('poolCloser', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('resolves only once every connection of the pool has closed (pool.end() resolves before)', async () => {
    const openPool = async () => {
      const pool = new pg.Pool({ connectionString: db.url, max: 3 });
      const close = poolCloser(pool);
      let ended = 0;
      pool.on('connect', (client) => client.once('end', () => ended++));
      // Three idle connections, as a pool holds between queries.
      const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
      for (const client of clients) client.release();
      return { pool, close, ended: () => ended };
    };

    const plain = await openPool();
    await plain.pool.end();
    // The race the closer exists for: a server stopped now would still find these connections.
    expect(plain.ended()).toBe(0);
    await new Promise<void>((resolve) => {
      const check = () => (plain.ended() === 3 ? resolve() : setTimeout(check, 10));
      check();
    });

    const closed = await openPool();
    await closed.close();
    expect(closed.ended()).toBe(3);
  });

  it('resolves at once for a pool that never connected', async () => {
    const pool = new pg.Pool({ connectionString: db.url });
    await poolCloser(pool)();
    expect(pool.ended).toBe(true);
  });
});
