import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { BotloomError } from '../errors/botloom-error.js';
import { ADMIN_TOKENS_TABLE } from './migrations.js';
import type { AdminPrincipal, AdminRole } from './types.js';

export const ADMIN_ROLES: readonly AdminRole[] = ['viewer', 'admin'];

/** Prefix of generated tokens, so they are recognisable in a secret scanner. */
export const ADMIN_TOKEN_PREFIX = 'blt_';

/** A stored token as listed to admins; never contains the token or its hash. */
export interface AdminTokenInfo {
  id: string;
  name: string;
  role: AdminRole;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedAdminToken {
  id: string;
  name: string;
  role: AdminRole;
  /** The plaintext bearer token. Shown once; only its hash is stored. */
  token: string;
}

export interface BootstrapTokenResult {
  id: string;
  /** False when the token was already stored by an earlier start. */
  created: boolean;
  /** True when an admin revoked it; a revoked token stays revoked even if still configured. */
  revoked: boolean;
}

const MAX_NAME_LENGTH = 100;
// Longer strings cannot be tokens we issued or a sane BOTLOOM_ADMIN_TOKEN; do not hash megabytes.
const MAX_TOKEN_LENGTH = 512;
// last_used_at is advisory; writing it on every request would turn reads into writes.
const LAST_USED_RESOLUTION_SECONDS = 60;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isAdminRole(value: unknown): value is AdminRole {
  return typeof value === 'string' && (ADMIN_ROLES as readonly string[]).includes(value);
}

/** True when `role` grants at least what `required` asks for (admin > viewer). */
export function roleSatisfies(role: AdminRole, required: AdminRole): boolean {
  return ADMIN_ROLES.indexOf(role) >= ADMIN_ROLES.indexOf(required);
}

interface TokenRow {
  id: string;
  name: string;
  role: AdminRole;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function toInfo(row: TokenRow): AdminTokenInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
  };
}

function validateName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (!trimmed || trimmed.length > MAX_NAME_LENGTH) {
    throw new BotloomError('INVALID_TOKEN_NAME', `Token name must be 1-${MAX_NAME_LENGTH} characters`);
  }
  return trimmed;
}

/**
 * Bearer tokens of the admin API. Only a SHA-256 hash of each token is stored (table
 * `core_admin_tokens`), so a database leak does not leak working credentials; tokens are
 * looked up by hash, which does not reveal the plaintext through timing.
 */
export class AdminTokenService {
  constructor(private readonly sequelize: Sequelize) {}

  async create(input: { name: string; role: AdminRole }): Promise<CreatedAdminToken> {
    const name = validateName(input.name);
    if (!isAdminRole(input.role)) {
      throw new BotloomError('INVALID_TOKEN_ROLE', `Role must be one of: ${ADMIN_ROLES.join(', ')}`);
    }
    const token = ADMIN_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    await this.sequelize.query(
      `INSERT INTO ${ADMIN_TOKENS_TABLE} (id, name, role, token_hash, created_at) VALUES (:id, :name, :role, :hash, now())`,
      { replacements: { id, name, role: input.role, hash: hashAdminToken(token) }, type: QueryTypes.INSERT },
    );
    return { id, name, role: input.role, token };
  }

  /** All tokens, newest first, revoked ones included (with `revokedAt`). */
  async list(): Promise<AdminTokenInfo[]> {
    const rows = await this.sequelize.query<TokenRow>(
      `SELECT id, name, role, created_at, last_used_at, revoked_at FROM ${ADMIN_TOKENS_TABLE} ORDER BY created_at DESC, name`,
      { type: QueryTypes.SELECT },
    );
    return rows.map(toInfo);
  }

  /** Revokes a token. Returns false when there is no such active token. */
  async revoke(id: string): Promise<boolean> {
    if (!UUID_PATTERN.test(id)) return false;
    const rows = await this.sequelize.query<{ id: string }>(
      `UPDATE ${ADMIN_TOKENS_TABLE} SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL RETURNING id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return rows.length > 0;
  }

  /** The principal of an active token, or null for unknown, revoked or malformed tokens. */
  async verify(token: string): Promise<AdminPrincipal | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    const rows = await this.sequelize.query<TokenRow>(
      `SELECT id, name, role, created_at, last_used_at, revoked_at FROM ${ADMIN_TOKENS_TABLE}
        WHERE token_hash = :hash AND revoked_at IS NULL`,
      { replacements: { hash: hashAdminToken(token) }, type: QueryTypes.SELECT },
    );
    const row = rows[0];
    if (!row) return null;
    const lastUsed = row.last_used_at ? new Date(row.last_used_at).getTime() : 0;
    if (Date.now() - lastUsed > LAST_USED_RESOLUTION_SECONDS * 1000) {
      await this.sequelize.query(`UPDATE ${ADMIN_TOKENS_TABLE} SET last_used_at = now() WHERE id = :id`, {
        replacements: { id: row.id },
      });
    }
    return { tokenId: row.id, name: row.name, role: row.role };
  }

  /**
   * Stores the hash of a configured token (BOTLOOM_ADMIN_TOKEN) with role `admin`, once.
   * Starting again with the same token changes nothing; a token revoked through the API stays
   * revoked (the caller should warn that the configured token no longer works).
   */
  async ensureBootstrapToken(token: string, name = 'BOTLOOM_ADMIN_TOKEN'): Promise<BootstrapTokenResult> {
    if (typeof token !== 'string' || token.length < 16 || token.length > MAX_TOKEN_LENGTH) {
      throw new BotloomError(
        'INVALID_BOOTSTRAP_TOKEN',
        `The bootstrap admin token must be 16-${MAX_TOKEN_LENGTH} characters`,
      );
    }
    const hash = hashAdminToken(token);
    const inserted = await this.sequelize.query<{ id: string }>(
      `INSERT INTO ${ADMIN_TOKENS_TABLE} (id, name, role, token_hash, created_at)
       VALUES (:id, :name, 'admin', :hash, now())
       ON CONFLICT (token_hash) DO NOTHING RETURNING id`,
      { replacements: { id: randomUUID(), name: validateName(name), hash }, type: QueryTypes.SELECT },
    );
    if (inserted[0]) return { id: inserted[0].id, created: true, revoked: false };
    const existing = await this.sequelize.query<{ id: string; revoked_at: Date | null }>(
      `SELECT id, revoked_at FROM ${ADMIN_TOKENS_TABLE} WHERE token_hash = :hash`,
      { replacements: { hash }, type: QueryTypes.SELECT },
    );
    const row = existing[0];
    if (!row)
      throw new BotloomError('BOOTSTRAP_TOKEN_RACE', 'The bootstrap admin token vanished while being stored');
    return { id: row.id, created: false, revoked: row.revoked_at !== null };
  }
}
