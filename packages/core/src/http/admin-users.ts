import { randomBytes, randomUUID, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors/domain-errors.js';
import { ADMIN_ROLES, isAdminRole } from './admin-tokens.js';
import { ADMIN_USERS_TABLE } from './migrations.js';
import type { AdminRole } from './types.js';

/** A person who signs in to the admin panel, as listed (never with the password hash). */
export interface AdminUserInfo {
  id: string;
  username: string;
  role: AdminRole;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 256;
const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// N=2^15 (32 MiB, twice the scrypt paper's interactive-login cost): a sign-in stays well under a
// second on a small busy server. The parameters are stored with each hash, so raising them
// later only affects new passwords.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 };
const SCRYPT_MAXMEM = 256 * 1024 * 1024;

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keyLength, { ...options, maxmem: SCRYPT_MAXMEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Checks a password against a stored hash in constant time; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (!N || !r || !p || expected.length === 0) return false;
  const actual = await scryptAsync(password, salt, expected.length, { N, r, p });
  return timingSafeEqual(actual, expected);
}

// Verifying against this when the user does not exist keeps the answer time the same.
let dummyHash: Promise<string> | undefined;

export function normaliseUsername(username: unknown): string {
  const value = typeof username === 'string' ? username.trim().toLowerCase() : '';
  if (!USERNAME_PATTERN.test(value)) {
    throw new InvalidInputError(
      'A username is 1-64 characters: lowercase letters, digits, dots, dashes, underscores and @',
      { code: 'INVALID_USERNAME' },
    );
  }
  return value;
}

function checkPassword(password: unknown): string {
  if (
    typeof password !== 'string' ||
    password.length < MIN_PASSWORD_LENGTH ||
    password.length > MAX_PASSWORD_LENGTH
  ) {
    throw new InvalidInputError(`A password is ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`, {
      code: 'INVALID_PASSWORD',
    });
  }
  return password;
}

function checkRole(role: unknown): AdminRole {
  if (!isAdminRole(role)) {
    throw new InvalidInputError(`Role must be one of: ${ADMIN_ROLES.join(', ')}`, { code: 'INVALID_ROLE' });
  }
  return role;
}

interface UserRow {
  id: string;
  username: string;
  role: AdminRole;
  password_hash: string;
  created_at: Date;
  last_login_at: Date | null;
}

function toInfo(row: UserRow): AdminUserInfo {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    createdAt: new Date(row.created_at),
    lastLoginAt: row.last_login_at ? new Date(row.last_login_at) : null,
  };
}

/** Generates a password for `admin:user create` without `--password-stdin` and for the sandbox. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

/**
 * People who sign in to the admin panel (table `core_admin_users`). Passwords are stored as
 * scrypt hashes with a random salt; usernames are case-insensitive (stored lowercase).
 */
export class AdminUserService {
  constructor(private readonly sequelize: Sequelize) {}

  async create(input: { username: string; password: string; role: AdminRole }): Promise<AdminUserInfo> {
    const username = normaliseUsername(input.username);
    const password = checkPassword(input.password);
    const role = checkRole(input.role);
    const hash = await hashPassword(password);
    const rows = await this.sequelize.query<UserRow>(
      `INSERT INTO ${ADMIN_USERS_TABLE} (id, username, password_hash, role, created_at)
       VALUES (:id, :username, :hash, :role, now())
       ON CONFLICT (username) DO NOTHING
       RETURNING id, username, role, password_hash, created_at, last_login_at`,
      { replacements: { id: randomUUID(), username, hash, role }, type: QueryTypes.SELECT },
    );
    if (!rows[0]) {
      throw new ConflictError(`An admin user "${username}" already exists`, { code: 'ADMIN_USER_EXISTS' });
    }
    return toInfo(rows[0]);
  }

  async list(): Promise<AdminUserInfo[]> {
    const rows = await this.sequelize.query<UserRow>(
      `SELECT id, username, role, password_hash, created_at, last_login_at FROM ${ADMIN_USERS_TABLE} ORDER BY username`,
      { type: QueryTypes.SELECT },
    );
    return rows.map(toInfo);
  }

  async get(id: string): Promise<AdminUserInfo | null> {
    if (!UUID_PATTERN.test(id)) return null;
    const rows = await this.sequelize.query<UserRow>(
      `SELECT id, username, role, password_hash, created_at, last_login_at FROM ${ADMIN_USERS_TABLE} WHERE id = :id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return rows[0] ? toInfo(rows[0]) : null;
  }

  /** The user when username and password match, null otherwise (same work either way). */
  async authenticate(username: string, password: string): Promise<AdminUserInfo | null> {
    let name: string;
    try {
      name = normaliseUsername(username);
    } catch {
      name = '';
    }
    const rows = name
      ? await this.sequelize.query<UserRow>(
          `SELECT id, username, role, password_hash, created_at, last_login_at FROM ${ADMIN_USERS_TABLE} WHERE username = :name`,
          { replacements: { name }, type: QueryTypes.SELECT },
        )
      : [];
    const row = rows[0];
    const candidate = typeof password === 'string' && password.length <= MAX_PASSWORD_LENGTH ? password : '';
    if (!row) {
      dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(candidate, await dummyHash);
      return null;
    }
    if (!(await verifyPassword(candidate, row.password_hash))) return null;
    await this.sequelize.query(`UPDATE ${ADMIN_USERS_TABLE} SET last_login_at = now() WHERE id = :id`, {
      replacements: { id: row.id },
    });
    return toInfo(row);
  }

  async setPassword(id: string, password: string): Promise<void> {
    const hash = await hashPassword(checkPassword(password));
    const rows = await this.sequelize.query<{ id: string }>(
      `UPDATE ${ADMIN_USERS_TABLE} SET password_hash = :hash WHERE id = :id RETURNING id`,
      { replacements: { id: UUID_PATTERN.test(id) ? id : randomUUID(), hash }, type: QueryTypes.SELECT },
    );
    if (!rows[0]) throw new NotFoundError('No such admin user', { code: 'ADMIN_USER_NOT_FOUND' });
  }

  /** Sets the password of `username`, creating the user when missing (the sandbox sign-in). */
  async upsertWithPassword(username: string, password: string, role: AdminRole): Promise<AdminUserInfo> {
    const name = normaliseUsername(username);
    const hash = await hashPassword(checkPassword(password));
    const rows = await this.sequelize.query<UserRow>(
      `INSERT INTO ${ADMIN_USERS_TABLE} (id, username, password_hash, role, created_at)
       VALUES (:id, :name, :hash, :role, now())
       ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role
       RETURNING id, username, role, password_hash, created_at, last_login_at`,
      { replacements: { id: randomUUID(), name, hash, role: checkRole(role) }, type: QueryTypes.SELECT },
    );
    return toInfo(rows[0]!);
  }

  /** Deletes a user; their sessions go with them (ON DELETE CASCADE). */
  async delete(id: string): Promise<void> {
    const rows = UUID_PATTERN.test(id)
      ? await this.sequelize.query<{ id: string }>(
          `DELETE FROM ${ADMIN_USERS_TABLE} WHERE id = :id RETURNING id`,
          { replacements: { id }, type: QueryTypes.SELECT },
        )
      : [];
    if (!rows[0]) throw new NotFoundError('No such admin user', { code: 'ADMIN_USER_NOT_FOUND' });
  }
}
