import { QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import { InstagramInputError, InstagramNotFoundError } from './errors.js';
import type { InstagramApi } from './graph-client.js';

/** A rule-based segment: users matching every given criterion get `name`. */
export const SegmentRuleSchema = z
  .object({
    name: z.string().regex(/^[\p{L}\p{N}_ -]{1,100}$/u, 'letters, digits, spaces, _ and -'),
    criteria: z
      .object({
        minMessages: z.number().int().min(0).optional(),
        maxMessages: z.number().int().min(0).optional(),
        seenWithinDays: z.number().min(0).max(3650).optional(),
        notSeenForDays: z.number().min(0).max(3650).optional(),
        sentiment: z.enum(['positive', 'neutral', 'negative']).optional(),
        intent: z.string().max(50).optional(),
        tag: z.string().max(50).optional(),
      })
      .strict(),
  })
  .strict();

type Row = Record<string, unknown>;

// $1 is "now". Users who never wrote count as a year away.
const BEHAVIOUR_SQL = `SELECT u.igsid, u.cluster, COALESCE(c.message_count, 0)::int AS messages,
       COALESCE(EXTRACT(EPOCH FROM ($1::timestamptz - u.last_seen_at)) / 86400, 365)::float AS recency_days,
       COALESCE((SELECT avg((m.sentiment = 'negative')::int) FROM instagram_messages m WHERE m.conversation_id = c.id AND m.direction = 'in'), 0)::float AS negative_share,
       (SELECT count(DISTINCT m.intent) FROM instagram_messages m WHERE m.conversation_id = c.id)::int AS intents
  FROM instagram_users u LEFT JOIN instagram_conversations c ON c.user_id = u.id`;

/** Instagram users: profiles, preferences, history, segments and erasure. */
export class UserDirectory {
  constructor(
    private readonly db: Sequelize,
    private readonly api: () => InstagramApi,
    private readonly now: () => Date,
  ) {}

  private rows<T extends object = Row>(sql: string, bind: unknown[] = []) {
    return this.db.query<T>(sql, { bind, type: QueryTypes.SELECT });
  }

  async list(limit: number, offset: number, filter: { segment?: string; cluster?: string } = {}) {
    const bind: unknown[] = [];
    const where: string[] = [];
    if (filter.segment) where.push(`u.segment = $${bind.push(filter.segment)}`);
    if (filter.cluster) where.push(`u.cluster = $${bind.push(filter.cluster)}`);
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const items = await this.rows(
      `SELECT u.id, u.igsid, u.username, u.segment, u.cluster, u.tags, u.last_seen_at AS "lastSeenAt", u.created_at AS "createdAt",
              c.id AS "conversationId", c.message_count AS "messageCount", c.status
         FROM instagram_users u LEFT JOIN instagram_conversations c ON c.user_id = u.id
         ${whereSql} ORDER BY u.last_seen_at DESC NULLS LAST LIMIT $${bind.length + 1} OFFSET $${bind.length + 2}`,
      [...bind, limit, offset],
    );
    const [count] = await this.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM instagram_users u ${whereSql}`,
      bind,
    );
    return { items, total: count?.n ?? 0 };
  }

  async byIgsid(igsid: string) {
    const [row] = await this.rows(`SELECT * FROM instagram_users WHERE igsid = $1`, [igsid]);
    if (!row) throw new InstagramNotFoundError('Instagram user', igsid);
    return row;
  }

  async byId(id: string) {
    const [row] = /^\d{1,9}$/.test(id)
      ? await this.rows(`SELECT * FROM instagram_users WHERE id = $1`, [Number(id)])
      : [];
    if (!row) throw new InstagramNotFoundError('User', id);
    return row;
  }

  /** The stored profile, refreshed from the Graph API when it has no username yet. */
  async profile(igsid: string) {
    const user = await this.byIgsid(igsid);
    if (!user.username) {
      const fetched = await this.api()
        .userProfile(igsid)
        .catch(() => undefined);
      if (fetched?.username || fetched?.name) {
        await this.db.query(
          `UPDATE instagram_users SET username = COALESCE($2, username), profile_data = profile_data || $3::jsonb WHERE igsid = $1`,
          { bind: [igsid, fetched.username ?? null, JSON.stringify(fetched)] },
        );
        return this.byIgsid(igsid);
      }
    }
    return user;
  }

  async setPreferences(id: string, preferences: Record<string, unknown>) {
    await this.byId(id);
    if (JSON.stringify(preferences).length > 16_000)
      throw new InstagramInputError('preferences are larger than 16 kB');
    await this.db.query(`UPDATE instagram_users SET preferences = $2::jsonb WHERE id = $1`, {
      bind: [Number(id), JSON.stringify(preferences)],
    });
    return this.byId(id);
  }

  async conversationOf(id: string): Promise<string | undefined> {
    const user = await this.byId(id);
    const [row] = await this.rows<{ id: string }>(
      `SELECT id FROM instagram_conversations WHERE user_id = $1`,
      [user.id],
    );
    return row?.id;
  }

  /** Applies a rule-based segment; returns how many users it now holds. */
  async applySegment(input: unknown) {
    const parsed = SegmentRuleSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InstagramInputError(
        `Invalid segment at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
        'INSTAGRAM_INVALID_SEGMENT',
      );
    }
    const { name, criteria } = parsed.data;
    const where: string[] = [];
    const bind: unknown[] = [name];
    const add = (sql: string, value: unknown) => {
      bind.push(value);
      where.push(sql.replace('?', `$${bind.length}`));
    };
    if (criteria.minMessages !== undefined) add('COALESCE(c.message_count, 0) >= ?', criteria.minMessages);
    if (criteria.maxMessages !== undefined) add('COALESCE(c.message_count, 0) <= ?', criteria.maxMessages);
    if (criteria.seenWithinDays !== undefined)
      add('u.last_seen_at >= ?', new Date(this.now().getTime() - criteria.seenWithinDays * 86_400_000));
    if (criteria.notSeenForDays !== undefined)
      add(
        '(u.last_seen_at IS NULL OR u.last_seen_at < ?)',
        new Date(this.now().getTime() - criteria.notSeenForDays * 86_400_000),
      );
    if (criteria.sentiment) add('c.sentiment = ?', criteria.sentiment);
    if (criteria.tag) add('? = ANY(c.tags)', criteria.tag);
    if (criteria.intent)
      add(
        'EXISTS (SELECT 1 FROM instagram_messages m WHERE m.conversation_id = c.id AND m.intent = ?)',
        criteria.intent,
      );
    const rows = await this.rows(
      `UPDATE instagram_users u SET segment = $1 FROM instagram_users u2 LEFT JOIN instagram_conversations c ON c.user_id = u2.id
        WHERE u.id = u2.id ${where.length ? `AND ${where.join(' AND ')}` : ''} RETURNING u.id`,
      bind,
    );
    return { segment: name, matched: rows.length };
  }

  /**
   * Rule-based segments and behaviour clusters with their sizes; clusters also with the current
   * averages of the features they were formed on.
   */
  async segments(kind?: 'rule' | 'cluster') {
    const rules = `SELECT 'rule' AS kind, COALESCE(segment, 'none') AS segment, count(*)::int AS users,
                          NULL::float AS "avgMessages", NULL::float AS "avgRecencyDays",
                          NULL::float AS "negativeShare", NULL::float AS "avgIntents"
                     FROM instagram_users GROUP BY 2`;
    const clusters = `SELECT 'cluster' AS kind, b.cluster AS segment, count(*)::int AS users,
                             avg(b.messages)::float AS "avgMessages", avg(b.recency_days)::float AS "avgRecencyDays",
                             avg(b.negative_share)::float AS "negativeShare", avg(b.intents)::float AS "avgIntents"
                        FROM (${BEHAVIOUR_SQL}) b WHERE b.cluster IS NOT NULL GROUP BY b.cluster`;
    const parts = kind === 'rule' ? [rules] : kind === 'cluster' ? [clusters] : [rules, clusters];
    const rows = await this.rows<{ kind: string; segment: string }>(
      `SELECT * FROM (${parts.join(' UNION ALL ')}) s ORDER BY kind DESC, users DESC, segment`,
      kind === 'rule' ? [] : [this.now()],
    );
    return rows.map((row) => ({ id: `${row.kind}:${row.segment}`, ...row }));
  }

  /** Behaviour features per user for clustering: messages, days since last seen, share negative, distinct intents. */
  async behaviour() {
    return this.rows<{
      igsid: string;
      cluster: string | null;
      messages: number;
      recency_days: number;
      negative_share: number;
      intents: number;
    }>(`${BEHAVIOUR_SQL} ORDER BY u.id`, [this.now()]);
  }

  /** Stores each user's behaviour cluster, replacing the previous clustering, in one transaction. */
  async setClusters(members: ReadonlyMap<string, readonly string[]>) {
    await this.db.transaction(async (transaction) => {
      await this.db.query('UPDATE instagram_users SET cluster = NULL WHERE cluster IS NOT NULL', {
        transaction,
      });
      for (const [cluster, igsids] of members)
        await this.db.query('UPDATE instagram_users SET cluster = $1 WHERE igsid = ANY($2::text[])', {
          bind: [cluster, igsids],
          transaction,
        });
    });
  }

  /** Deletes everything about one Instagram user (conversation, messages, outbox, decisions cascade). */
  async erase(igsid: string): Promise<boolean> {
    await this.db.query(`DELETE FROM instagram_experiment_assignments WHERE igsid = $1`, { bind: [igsid] });
    await this.db.query(`DELETE FROM instagram_events WHERE igsid = $1`, { bind: [igsid] });
    const rows = await this.rows(`DELETE FROM instagram_users WHERE igsid = $1 RETURNING id`, [igsid]);
    return rows.length > 0;
  }
}
