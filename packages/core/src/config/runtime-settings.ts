import { QueryTypes, type Sequelize } from 'sequelize';
import type { ZodTypeAny } from 'zod';
import { InvalidInputError, NotFoundError } from '../errors/domain-errors.js';
import { RUNTIME_SETTINGS_TABLE } from '../http/migrations.js';
import { objectShape } from './schema-introspection.js';

/** A plugin's settings that may change while the app runs (manifest `runtimeSettings`). */
export interface RuntimeSettingsOwner {
  owner: string;
  schema?: ZodTypeAny;
  /** The plugin's parsed config object: `ctx.config`, updated in place. */
  config: unknown;
  keys: readonly string[];
}

export interface RuntimeSettingInfo {
  owner: string;
  name: string;
  /** The effective value now. */
  value: unknown;
  /** The value from the environment, .env or code, used when there is no override. */
  configured: unknown;
  overridden: boolean;
  updatedAt: Date | null;
  updatedBy: string | null;
}

interface Row {
  owner: string;
  name: string;
  value: unknown;
  updated_at: Date;
  updated_by: string;
}

/**
 * Settings changed from the admin panel without a restart. An override is validated with the
 * plugin's own schema, stored in `core_runtime_settings`, and written into the plugin's config
 * object, so code that reads `ctx.config.<key>` when it acts sees it at once. A plugin lists
 * only keys it reads that way (not ones copied into a service at start).
 */
export class RuntimeSettings {
  private readonly owners = new Map<string, RuntimeSettingsOwner>();
  private readonly configured = new Map<string, unknown>();
  private readonly meta = new Map<string, { updatedAt: Date; updatedBy: string }>();
  /** Tells the other instances which settings changed (see `attach`). */
  private announce: (ids: string[]) => Promise<void> = async () => {};

  constructor(
    private readonly sequelize: Sequelize,
    owners: readonly RuntimeSettingsOwner[],
    private readonly onSkipped: (info: { owner: string; name: string; reason: string }) => void = () => {},
  ) {
    for (const o of owners) {
      if (!o.keys.length || !o.config || typeof o.config !== 'object') continue;
      this.owners.set(o.owner, o);
      for (const key of o.keys)
        this.configured.set(`${o.owner}.${key}`, (o.config as Record<string, unknown>)[key]);
    }
  }

  /** Called after each change with the changed ids (`owner.name`): the cross-instance invalidation. */
  attach(announce: (ids: string[]) => Promise<void>): void {
    this.announce = announce;
  }

  /** Applies the stored overrides (at start); one that no longer validates is skipped with a warning. */
  async load(): Promise<void> {
    await this.refresh(null);
  }

  /**
   * Re-reads the given settings (`owner.name`), or all when null, from the database: what
   * another instance changed. A setting without a stored override goes back to its configured value.
   */
  async refresh(ids: readonly string[] | null): Promise<void> {
    const wanted = ids ? new Set(ids) : null;
    const all = await this.sequelize.query<Row>(
      `SELECT owner, name, value, updated_at, updated_by FROM ${RUNTIME_SETTINGS_TABLE}`,
      { type: QueryTypes.SELECT },
    );
    const rows = wanted ? all.filter((r) => wanted.has(`${r.owner}.${r.name}`)) : all;
    const stored = new Set(all.map((r) => `${r.owner}.${r.name}`));
    for (const [id] of this.configured) {
      if (stored.has(id) || (wanted && !wanted.has(id)) || !this.meta.has(id)) continue;
      const dot = id.indexOf('.');
      this.apply(id.slice(0, dot), id.slice(dot + 1), this.configured.get(id));
      this.meta.delete(id);
    }
    for (const row of rows) {
      try {
        this.apply(row.owner, row.name, this.validate(row.owner, row.name, row.value));
        this.meta.set(`${row.owner}.${row.name}`, {
          updatedAt: new Date(row.updated_at),
          updatedBy: row.updated_by,
        });
      } catch (err) {
        this.onSkipped({
          owner: row.owner,
          name: row.name,
          reason: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  list(): RuntimeSettingInfo[] {
    const out: RuntimeSettingInfo[] = [];
    for (const o of this.owners.values()) {
      for (const name of o.keys) {
        const id = `${o.owner}.${name}`;
        const meta = this.meta.get(id);
        out.push({
          owner: o.owner,
          name,
          value: (o.config as Record<string, unknown>)[name],
          configured: this.configured.get(id),
          overridden: !!meta,
          updatedAt: meta?.updatedAt ?? null,
          updatedBy: meta?.updatedBy ?? null,
        });
      }
    }
    return out;
  }

  async set(owner: string, name: string, value: unknown, actor: string): Promise<RuntimeSettingInfo> {
    const parsed = this.validate(owner, name, value);
    await this.sequelize.query(
      `INSERT INTO ${RUNTIME_SETTINGS_TABLE} (owner, name, value, updated_at, updated_by)
       VALUES (:owner, :name, CAST(:value AS jsonb), now(), :actor)
       ON CONFLICT (owner, name) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
      { replacements: { owner, name, value: JSON.stringify(parsed ?? null), actor: actor.slice(0, 128) } },
    );
    this.apply(owner, name, parsed);
    this.meta.set(`${owner}.${name}`, { updatedAt: new Date(), updatedBy: actor });
    await this.announce([`${owner}.${name}`]);
    return this.list().find((s) => s.owner === owner && s.name === name)!;
  }

  /** Back to the configured value. */
  async reset(owner: string, name: string): Promise<RuntimeSettingInfo> {
    this.require(owner, name);
    await this.sequelize.query(
      `DELETE FROM ${RUNTIME_SETTINGS_TABLE} WHERE owner = :owner AND name = :name`,
      {
        replacements: { owner, name },
      },
    );
    this.apply(owner, name, this.configured.get(`${owner}.${name}`));
    this.meta.delete(`${owner}.${name}`);
    await this.announce([`${owner}.${name}`]);
    return this.list().find((s) => s.owner === owner && s.name === name)!;
  }

  private require(owner: string, name: string): RuntimeSettingsOwner {
    const o = this.owners.get(owner);
    if (!o?.keys.includes(name)) {
      throw new NotFoundError(`"${owner}.${name}" is not a setting that can change at runtime`, {
        code: 'RUNTIME_SETTING_NOT_FOUND',
      });
    }
    return o;
  }

  private validate(owner: string, name: string, value: unknown): unknown {
    const o = this.require(owner, name);
    const field = o.schema ? objectShape(o.schema)?.[name] : undefined;
    if (!field) return value;
    const result = field.safeParse(value);
    if (!result.success) {
      throw new InvalidInputError(
        `Invalid value for ${owner}.${name}: ${result.error.issues[0]?.message ?? 'invalid'}`,
        {
          code: 'INVALID_SETTING_VALUE',
        },
      );
    }
    return result.data;
  }

  private apply(owner: string, name: string, value: unknown): void {
    (this.require(owner, name).config as Record<string, unknown>)[name] = value;
  }
}

/** The runtime settings of an app's plugins, from their manifests and parsed configs. */
export function runtimeSettingsOwners(
  plugins: readonly { id: string; config?: ZodTypeAny; runtimeSettings?: readonly string[] }[],
  configs: ReadonlyMap<string, unknown>,
): RuntimeSettingsOwner[] {
  return plugins.map((p) => ({
    owner: p.id,
    schema: p.config,
    config: configs.get(p.id),
    keys: p.runtimeSettings ?? [],
  }));
}
