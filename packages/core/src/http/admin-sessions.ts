import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { ADMIN_SESSIONS_TABLE, ADMIN_USERS_TABLE } from './migrations.js';
import type { AdminRole } from './types.js';

/** Name of the panel's session cookie (httpOnly, SameSite=Strict, path /admin). */
export const SESSION_COOKIE = 'botloom_admin_session';
/** Header a signed-in browser sends its CSRF token in, on every write. */
export const CSRF_HEADER = 'x-csrf-token';
/** Absolute lifetime of a panel session. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface AdminSession {
  id: string;
  userId: string;
  username: string;
  /** The user's role now (a changed role applies to open sessions at once). */
  role: AdminRole;
  csrfToken: string;
  expiresAt: Date;
}

export interface CreatedSession {
  /** The cookie value; only its hash is stored. */
  token: string;
  session: AdminSession;
}

const MAX_COOKIE_LENGTH = 256;

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two strings in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

interface SessionRow {
  id: string;
  user_id: string;
  username: string;
  role: AdminRole;
  csrf_token: string;
  expires_at: Date;
}

/**
 * Sessions of the admin panel (table `core_admin_sessions`). The cookie holds a random token
 * of which only a SHA-256 hash is stored; each session has its own CSRF token, which the
 * panel reads from `GET /admin/api/session` and sends back on writes.
 */
export class AdminSessionService {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly now: () => number = Date.now,
  ) {}

  async create(user: { id: string; username: string; role: AdminRole }): Promise<CreatedSession> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const id = randomUUID();
    const expiresAt = new Date(this.now() + SESSION_TTL_MS);
    await this.sequelize.query(
      `INSERT INTO ${ADMIN_SESSIONS_TABLE} (id, user_id, token_hash, csrf_token, created_at, expires_at)
       VALUES (:id, :userId, :hash, :csrfToken, :createdAt, :expiresAt)`,
      {
        replacements: {
          id,
          userId: user.id,
          hash: sha256(token),
          csrfToken,
          createdAt: new Date(this.now()),
          expiresAt,
        },
      },
    );
    return {
      token,
      session: { id, userId: user.id, username: user.username, role: user.role, csrfToken, expiresAt },
    };
  }

  /** The live session of a cookie value, or null (unknown, expired or malformed). */
  async verify(token: string): Promise<AdminSession | null> {
    if (typeof token !== 'string' || !token || token.length > MAX_COOKIE_LENGTH) return null;
    const rows = await this.sequelize.query<SessionRow>(
      `SELECT s.id, s.user_id, u.username, u.role, s.csrf_token, s.expires_at
         FROM ${ADMIN_SESSIONS_TABLE} s JOIN ${ADMIN_USERS_TABLE} u ON u.id = s.user_id
        WHERE s.token_hash = :hash AND s.expires_at > :now`,
      { replacements: { hash: sha256(token), now: new Date(this.now()) }, type: QueryTypes.SELECT },
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      userId: row.user_id,
      username: row.username,
      role: row.role,
      csrfToken: row.csrf_token,
      expiresAt: new Date(row.expires_at),
    };
  }

  async revoke(id: string): Promise<void> {
    await this.sequelize.query(`DELETE FROM ${ADMIN_SESSIONS_TABLE} WHERE id = :id`, {
      replacements: { id },
    });
  }

  /** Drops expired sessions; returns how many. */
  async purgeExpired(): Promise<number> {
    const rows = await this.sequelize.query<{ id: string }>(
      `DELETE FROM ${ADMIN_SESSIONS_TABLE} WHERE expires_at <= :now RETURNING id`,
      { replacements: { now: new Date(this.now()) }, type: QueryTypes.SELECT },
    );
    return rows.length;
  }
}
