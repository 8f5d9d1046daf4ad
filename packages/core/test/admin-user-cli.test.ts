import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { AdminUserService } from '../src/http/admin-users.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { quietLogger } from './helpers/quiet-logger.js';

const tmpBase = path.join(fileURLToPath(new URL('../../../', import.meta.url)), '.botloom-test');

let db: TestDatabase;
let dir: string;
let sequelize: Sequelize;

beforeAll(async () => {
  db = await createTestDatabase();
  await mkdir(tmpBase, { recursive: true });
  dir = await mkdtemp(path.join(tmpBase, 'admin-user-cli-'));
  sequelize = new Sequelize(db.url, { logging: false });
});
afterAll(async () => {
  await sequelize?.close();
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

async function cli(args: string[], stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    cwd: dir,
    env: { DATABASE_URL: db.url, BOTLOOM_DATA_DIR: path.join(dir, 'data'), KV_URL: 'memory://' },
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    logger: quietLogger(),
    stdin: stdin === undefined ? undefined : Readable.from([stdin]),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('botloom admin:user', () => {
  it('creates a panel user with a generated password that signs in', async () => {
    const created = await cli(['admin:user', 'create', '--username', 'Alice', '--role', 'viewer']);
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/Created viewer "alice"/);
    const password = /Password \(shown once\): (\S+)/.exec(created.out)![1]!;
    const users = new AdminUserService(sequelize);
    expect(await users.authenticate('alice', password)).toMatchObject({ username: 'alice', role: 'viewer' });
    expect(await users.authenticate('alice', `${password}x`)).toBeNull();
    const listed = await cli(['admin:user', 'list']);
    expect(listed.out).toMatch(/viewer\s+alice/);
    expect(listed.out).not.toContain(password);
  });

  it('reads the password from stdin and never prints it; refuses a duplicate and a short password', async () => {
    const created = await cli(
      ['admin:user', 'create', '--username', 'bob', '--password-stdin'],
      'bob has a long password\n',
    );
    expect(created.code).toBe(0);
    expect(created.out).not.toContain('bob has a long password');
    expect(
      await new AdminUserService(sequelize).authenticate('bob', 'bob has a long password'),
    ).toMatchObject({
      role: 'admin',
    });
    const again = await cli(
      ['admin:user', 'create', '--username', 'bob', '--password-stdin'],
      'another long one',
    );
    expect(again.code).toBe(1);
    expect(again.err).toContain('ADMIN_USER_EXISTS');
    const short = await cli(['admin:user', 'create', '--username', 'carol', '--password-stdin'], 'short');
    expect(short.code).toBe(1);
    expect(short.err).toContain('INVALID_PASSWORD');
  });
});
