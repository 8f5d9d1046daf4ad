import { QueryTypes, type Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminTokenService, hashAdminToken } from '../src/http/admin-tokens.js';
import { httpMigrations } from '../src/http/migrations.js';
import { createHttpTestDatabase } from './http-helpers.js';

describe('AdminTokenService (real PostgreSQL)', () => {
  let sequelize: Sequelize;
  let close: () => Promise<void>;
  let tokens: AdminTokenService;

  beforeAll(async () => {
    ({ sequelize, close } = await createHttpTestDatabase());
    tokens = new AdminTokenService(sequelize);
  });
  afterAll(async () => {
    await close();
  });

  it('creates a token shown once and stores only its SHA-256 hash', async () => {
    const created = await tokens.create({ name: 'ops', role: 'admin' });
    expect(created.token).toMatch(/^blt_[A-Za-z0-9_-]{43}$/);
    const rows = await sequelize.query<Record<string, unknown>>(
      'SELECT * FROM core_admin_tokens WHERE id = :id',
      {
        replacements: { id: created.id },
        type: QueryTypes.SELECT,
      },
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(hashAdminToken(created.token));
    expect(JSON.stringify(rows[0])).not.toContain(created.token);
  });

  it('verifies active tokens with their role and records last use', async () => {
    const created = await tokens.create({ name: 'dashboard', role: 'viewer' });
    expect(await tokens.verify(created.token)).toEqual({
      tokenId: created.id,
      name: 'dashboard',
      role: 'viewer',
    });
    const listed = (await tokens.list()).find((t) => t.id === created.id);
    expect(listed?.lastUsedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(listed)).not.toContain(created.token);
  });

  it('rejects unknown, malformed and revoked tokens', async () => {
    expect(await tokens.verify('blt_not-a-real-token')).toBeNull();
    expect(await tokens.verify('')).toBeNull();
    expect(await tokens.verify('x'.repeat(10_000))).toBeNull();
    const created = await tokens.create({ name: 'temp', role: 'admin' });
    expect(await tokens.revoke(created.id)).toBe(true);
    expect(await tokens.verify(created.token)).toBeNull();
    expect(await tokens.revoke(created.id)).toBe(false);
    expect(await tokens.revoke('not-a-uuid')).toBe(false);
    const listed = (await tokens.list()).find((t) => t.id === created.id);
    expect(listed?.revokedAt).toBeInstanceOf(Date);
  });

  it('refuses bad names and roles', async () => {
    await expect(tokens.create({ name: '  ', role: 'admin' })).rejects.toMatchObject({
      code: 'INVALID_TOKEN_NAME',
    });
    await expect(tokens.create({ name: 'x', role: 'root' as never })).rejects.toMatchObject({
      code: 'INVALID_TOKEN_ROLE',
    });
  });

  it('stores the bootstrap token idempotently and keeps a revocation', async () => {
    const plaintext = 'bootstrap-token-0123456789';
    const first = await tokens.ensureBootstrapToken(plaintext, 'env');
    expect(first).toMatchObject({ created: true, revoked: false });
    const second = await tokens.ensureBootstrapToken(plaintext, 'env');
    expect(second).toEqual({ id: first.id, created: false, revoked: false });
    expect(await tokens.verify(plaintext)).toMatchObject({ tokenId: first.id, role: 'admin' });
    const count = await sequelize.query<{ n: string }>(
      'SELECT count(*) AS n FROM core_admin_tokens WHERE token_hash = :hash',
      { replacements: { hash: hashAdminToken(plaintext) }, type: QueryTypes.SELECT },
    );
    expect(Number(count[0]!.n)).toBe(1);

    await tokens.revoke(first.id);
    expect(await tokens.ensureBootstrapToken(plaintext, 'env')).toEqual({
      id: first.id,
      created: false,
      revoked: true,
    });
    expect(await tokens.verify(plaintext)).toBeNull();
    await expect(tokens.ensureBootstrapToken('short')).rejects.toMatchObject({
      code: 'INVALID_BOOTSTRAP_TOKEN',
    });
  });

  it('migration down drops the table', async () => {
    const qi = sequelize.getQueryInterface();
    await sequelize.transaction((transaction) =>
      httpMigrations[0]!.down!({ sequelize, queryInterface: qi, transaction }),
    );
    const tables = await qi.showAllTables();
    expect(tables).not.toContain('core_admin_tokens');
    await sequelize.transaction((transaction) =>
      httpMigrations[0]!.up({ sequelize, queryInterface: qi, transaction }),
    );
    expect(await qi.showAllTables()).toContain('core_admin_tokens');
  });
});
