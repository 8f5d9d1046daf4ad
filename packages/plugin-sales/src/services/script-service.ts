import type { Transaction } from 'sequelize';
import { diffScripts, type ScriptChange } from '../script/script-diff.js';
import {
  parseScriptFile,
  type ScriptFile,
  type ScriptFileFormat,
  serialiseScriptFile,
} from '../script/script-file.js';
import { SCRIPT_SLUG, type ScriptDefinition } from '../script/script-schema.js';
import { parseScript } from '../script/validate-script.js';
import {
  SalesInputError,
  ScriptExistsError,
  ScriptNotFoundError,
  ScriptNotPublishedError,
  ScriptVersionNotFoundError,
} from './errors.js';
import type { Sql } from './sql.js';

export interface ScriptSummary {
  id: string;
  name: string;
  publishedVersion: number | null;
  hasDraft: boolean;
  draftUpdatedAt: string | null;
  createdAt: string;
}

export interface ScriptVersionInfo {
  number: number;
  author: string;
  changelog: string;
  publishedAt: string;
  republishedFrom: number | null;
}

export interface PublishedScript {
  /** Row id of the script (conversations reference it). */
  scriptRowId: number;
  slug: string;
  version: number;
  definition: ScriptDefinition;
}

interface ScriptRow {
  id: number;
  slug: string;
  name: string;
  draft: unknown;
  draft_updated_at: Date | null;
  draft_updated_by: string | null;
  published_version: number | null;
  created_at: Date;
}

/** Told after a publish or rollback, so caches on every instance drop the script. */
export type PublishListener = (slug: string) => Promise<void>;

/**
 * Scripts: drafts, immutable published versions (number, author, time, changelog), rollback by
 * publishing an older version again, diffs, and YAML/JSON files.
 */
export class ScriptService {
  constructor(
    private readonly sql: Sql,
    private readonly onPublished: PublishListener = async () => {},
  ) {}

  async list(): Promise<ScriptSummary[]> {
    const rows = await this.sql.rows<ScriptRow>('SELECT * FROM sales_scripts ORDER BY slug');
    return rows.map(summaryOf);
  }

  async create(slug: string, definition: unknown, author: string): Promise<ScriptSummary> {
    if (!SCRIPT_SLUG.test(slug))
      throw new SalesInputError('INVALID_SCRIPT_ID', 'A script id is lowercase letters, digits and "-"');
    const script = parseScript(definition);
    const inserted = await this.sql.one<ScriptRow>(
      `INSERT INTO sales_scripts (slug, name, draft, draft_updated_at, draft_updated_by, created_by)
       VALUES ($1, $2, $3, now(), $4, $4) ON CONFLICT (slug) DO NOTHING RETURNING *`,
      [slug, script.name, JSON.stringify(script), author],
    );
    if (!inserted) throw new ScriptExistsError(slug);
    return summaryOf(inserted);
  }

  async detail(slug: string) {
    const row = await this.row(slug);
    return { script: summaryOf(row), draft: row.draft ?? null, versions: await this.versions(row.id) };
  }

  async saveDraft(slug: string, definition: unknown, author: string): Promise<ScriptSummary> {
    const row = await this.row(slug);
    const script = parseScript(definition);
    const updated = await this.sql.one<ScriptRow>(
      `UPDATE sales_scripts SET draft = $2, name = $3, draft_updated_at = now(), draft_updated_by = $4
       WHERE id = $1 RETURNING *`,
      [row.id, JSON.stringify(script), script.name, author],
    );
    return summaryOf(updated!);
  }

  /** Publishes the draft as the next version; the draft stays for further edits. */
  async publish(slug: string, author: string, changelog = ''): Promise<ScriptVersionInfo> {
    const row = await this.row(slug);
    if (!row.draft) throw new SalesInputError('NO_DRAFT', `Script ${slug} has no draft to publish`);
    const script = parseScript(row.draft);
    const version = await this.sql.transaction((t) =>
      this.insertVersion(row.id, script, author, changelog, null, t),
    );
    await this.onPublished(slug);
    return version;
  }

  /** Rollback: version `number` is published again as a new version (history stays immutable). */
  async rollback(slug: string, number: number, author: string): Promise<ScriptVersionInfo> {
    const row = await this.row(slug);
    const old = await this.versionRow(row.id, slug, number);
    const script = parseScript(old.definition);
    const version = await this.sql.transaction((t) =>
      this.insertVersion(row.id, script, author, `Rollback to version ${number}`, number, t),
    );
    await this.onPublished(slug);
    return version;
  }

  async version(slug: string, number: number) {
    const row = await this.row(slug);
    const v = await this.versionRow(row.id, slug, number);
    return { ...versionInfo(v), definition: v.definition as ScriptDefinition };
  }

  async diff(
    slug: string,
    from: number,
    to: number,
  ): Promise<{ from: number; to: number; changes: ScriptChange[] }> {
    const row = await this.row(slug);
    const a = await this.versionRow(row.id, slug, from);
    const b = await this.versionRow(row.id, slug, to);
    return { from, to, changes: diffScripts(a.definition, b.definition) };
  }

  /** The latest published version (null when there is none), straight from the database. */
  async loadPublished(slug: string): Promise<PublishedScript | null> {
    const v = await this.sql.one<{ script_id: number; number: number; definition: unknown }>(
      `SELECT v.script_id, v.number, v.definition FROM sales_script_versions v
       JOIN sales_scripts s ON s.id = v.script_id AND v.number = s.published_version WHERE s.slug = $1`,
      [slug],
    );
    return v
      ? { scriptRowId: v.script_id, slug, version: v.number, definition: v.definition as ScriptDefinition }
      : null;
  }

  /** A given version, for conversations pinned to it. */
  async loadVersion(scriptRowId: number, number: number): Promise<PublishedScript> {
    const v = await this.sql.one<{ slug: string; definition: unknown }>(
      `SELECT s.slug, v.definition FROM sales_script_versions v JOIN sales_scripts s ON s.id = v.script_id
       WHERE v.script_id = $1 AND v.number = $2`,
      [scriptRowId, number],
    );
    if (!v) throw new ScriptVersionNotFoundError(String(scriptRowId), number);
    return { scriptRowId, slug: v.slug, version: number, definition: v.definition as ScriptDefinition };
  }

  async exists(slug: string): Promise<boolean> {
    return Boolean(await this.sql.one('SELECT 1 FROM sales_scripts WHERE slug = $1', [slug]));
  }

  /**
   * Imports a file: creates the script or replaces its draft, and publishes it when asked.
   * Returns what happened.
   */
  async importFile(text: string, author: string, options: { publish?: boolean; changelog?: string } = {}) {
    const file = parseScriptFile(text);
    const created = !(await this.exists(file.id));
    if (created) await this.create(file.id, file.definition, author);
    else await this.saveDraft(file.id, file.definition, author);
    const published = options.publish
      ? await this.publish(file.id, author, options.changelog ?? 'Imported from a file')
      : null;
    return { id: file.id, created, published };
  }

  /** The published version (or the draft when `draft`) as a file. */
  async exportFile(
    slug: string,
    format: ScriptFileFormat,
    options: { draft?: boolean } = {},
  ): Promise<string> {
    const row = await this.row(slug);
    let definition: unknown = row.draft;
    if (!options.draft) {
      if (row.published_version === null) throw new ScriptNotPublishedError(slug);
      definition = (await this.versionRow(row.id, slug, row.published_version)).definition;
    }
    const file: ScriptFile = { id: slug, definition: definition as ScriptDefinition };
    return serialiseScriptFile(file, format);
  }

  private async insertVersion(
    scriptId: number,
    script: ScriptDefinition,
    author: string,
    changelog: string,
    republishedFrom: number | null,
    t: Transaction,
  ): Promise<ScriptVersionInfo> {
    // The row lock serialises concurrent publishes of one script, so numbers never collide.
    const locked = await this.sql.one<{ published_version: number | null }>(
      'SELECT published_version FROM sales_scripts WHERE id = $1 FOR UPDATE',
      [scriptId],
      t,
    );
    const max = await this.sql.one<{ n: number | null }>(
      'SELECT max(number) AS n FROM sales_script_versions WHERE script_id = $1',
      [scriptId],
      t,
    );
    void locked;
    const number = (max?.n ?? 0) + 1;
    const v = await this.sql.one<VersionRow>(
      `INSERT INTO sales_script_versions (script_id, number, definition, author, changelog, republished_from)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [scriptId, number, JSON.stringify(script), author, changelog.slice(0, 2000), republishedFrom],
      t,
    );
    for (const [position, trigger] of script.triggers.entries()) {
      await this.sql.exec(
        'INSERT INTO sales_script_triggers (version_id, position, event, action, spec) VALUES ($1, $2, $3, $4, $5)',
        [v!.id, position, trigger.on, trigger.action, JSON.stringify(trigger)],
        t,
      );
    }
    await this.sql.exec(
      'UPDATE sales_scripts SET published_version = $2 WHERE id = $1',
      [scriptId, number],
      t,
    );
    return versionInfo(v!);
  }

  private async versions(scriptId: number): Promise<ScriptVersionInfo[]> {
    const rows = await this.sql.rows<VersionRow>(
      'SELECT * FROM sales_script_versions WHERE script_id = $1 ORDER BY number DESC',
      [scriptId],
    );
    return rows.map(versionInfo);
  }

  private async versionRow(scriptId: number, slug: string, number: number): Promise<VersionRow> {
    const v = await this.sql.one<VersionRow>(
      'SELECT * FROM sales_script_versions WHERE script_id = $1 AND number = $2',
      [scriptId, number],
    );
    if (!v) throw new ScriptVersionNotFoundError(slug, number);
    return v;
  }

  private async row(slug: string): Promise<ScriptRow> {
    const row = await this.sql.one<ScriptRow>('SELECT * FROM sales_scripts WHERE slug = $1', [slug]);
    if (!row) throw new ScriptNotFoundError(slug);
    return row;
  }
}

interface VersionRow {
  id: number;
  number: number;
  definition: unknown;
  author: string;
  changelog: string;
  published_at: Date;
  republished_from: number | null;
}

function versionInfo(v: VersionRow): ScriptVersionInfo {
  return {
    number: v.number,
    author: v.author,
    changelog: v.changelog,
    publishedAt: new Date(v.published_at).toISOString(),
    republishedFrom: v.republished_from,
  };
}

function summaryOf(row: ScriptRow): ScriptSummary {
  return {
    id: row.slug,
    name: row.name,
    publishedVersion: row.published_version,
    hasDraft: row.draft !== null,
    draftUpdatedAt: row.draft_updated_at ? new Date(row.draft_updated_at).toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
