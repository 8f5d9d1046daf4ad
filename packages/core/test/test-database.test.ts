import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../src/testing/test-database.js';

describe('test databases', () => {
  const created: Array<{ drop(): Promise<void> }> = [];
  afterAll(async () => {
    for (const db of created) await db.drop();
  });

  it('gives each caller its own empty PostgreSQL database', async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    created.push(a, b);
    expect(a.url).not.toBe(b.url);
    const client = new pg.Client({ connectionString: a.url });
    await client.connect();
    const { rows } = await client.query('select current_database() as name');
    await client.end();
    expect(rows[0].name).toBe(a.name);
  });
});
