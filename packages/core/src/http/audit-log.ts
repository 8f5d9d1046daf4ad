import { QueryTypes, type Sequelize } from 'sequelize';
import { ADMIN_AUDIT_TABLE } from './migrations.js';
import type { AdminPrincipal } from './types.js';

export interface AuditEntry {
  id: string;
  at: Date;
  actor: string;
  /** `token` (bearer API) or `session` (the panel). */
  actorKind: string;
  role: string | null;
  method: string;
  path: string;
  status: number;
  summary: unknown;
  requestId: string | null;
  /** The client's address (with TRUST_PROXY, the one the proxies forwarded). */
  address: string | null;
}

export interface AuditQuery {
  limit?: number;
  /** Entries older than this id (paging backwards). */
  before?: string;
  actor?: string;
}

// Phone numbers and one-time login codes (account logins) are credentials too.
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|phone|^code$/i;
const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 3;

/**
 * What an audit entry says about a request body: its shape with secrets replaced by `***`,
 * long strings cut and big arrays counted, so the log shows what changed without becoming
 * a second copy of the data.
 */
export function summariseBody(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string')
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)` : value;
  if (typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? `[${value.length} items]` : '{…}';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => summariseBody(v, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `… ${value.length - MAX_ITEMS} more`] : items;
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>).slice(0, MAX_ITEMS)) {
    out[key] = SECRET_KEY.test(key) ? '***' : summariseBody(v, depth + 1);
  }
  return out;
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  actor_kind: string;
  role: string | null;
  method: string;
  path: string;
  status: number;
  summary: unknown;
  request_id: string | null;
  address: string | null;
}

/** Every admin write, through the panel or the bearer API: who, what, when, and the outcome. */
export class AuditLog {
  constructor(private readonly sequelize: Sequelize) {}

  async record(entry: {
    principal: AdminPrincipal | { name: string; via: 'session' | 'token' | 'anonymous'; role?: string };
    method: string;
    path: string;
    status: number;
    summary?: unknown;
    requestId?: string;
    address?: string;
  }): Promise<void> {
    const p = entry.principal as AdminPrincipal & { via?: string };
    await this.sequelize.query(
      `INSERT INTO ${ADMIN_AUDIT_TABLE} (at, actor, actor_kind, role, method, path, status, summary, request_id, address)
       VALUES (now(), :actor, :kind, :role, :method, :path, :status, CAST(:summary AS jsonb), :requestId, :address)`,
      {
        replacements: {
          actor: p.name.slice(0, 128),
          kind: p.via ?? 'token',
          role: p.role ?? null,
          method: entry.method.toUpperCase().slice(0, 10),
          path: entry.path.slice(0, 512),
          status: entry.status,
          summary: JSON.stringify(entry.summary ?? null),
          requestId: entry.requestId?.slice(0, 128) ?? null,
          address: entry.address ? entry.address.slice(0, 64) : null,
        },
      },
    );
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const where: string[] = [];
    const replacements: Record<string, unknown> = { limit };
    if (query.before && /^\d{1,18}$/.test(query.before)) {
      where.push('id < :before');
      replacements.before = query.before;
    }
    if (query.actor) {
      where.push('actor = :actor');
      replacements.actor = query.actor;
    }
    const rows = await this.sequelize.query<AuditRow>(
      `SELECT id, at, actor, actor_kind, role, method, path, status, summary, request_id, address FROM ${ADMIN_AUDIT_TABLE}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT :limit`,
      { replacements, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at),
      actor: r.actor,
      actorKind: r.actor_kind,
      role: r.role,
      method: r.method,
      path: r.path,
      status: r.status,
      summary: r.summary,
      requestId: r.request_id,
      address: r.address,
    }));
  }
}
