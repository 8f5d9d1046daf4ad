import type { LlmUsageService } from '@botloom/core';
import { QueryTypes, type Sequelize } from 'sequelize';

export interface AnalyticsRange {
  from: Date;
  to: Date;
}

/** Read-only numbers for the analytics endpoints and pages; all from the plugin's tables. */
export class InstagramAnalytics {
  constructor(
    private readonly db: Sequelize,
    private readonly usage: LlmUsageService | undefined,
  ) {}

  private rows<T extends object>(sql: string, bind: unknown[]) {
    return this.db.query<T>(sql, { bind, type: QueryTypes.SELECT });
  }

  async conversations(range: AnalyticsRange) {
    const bind = [range.from, range.to];
    const perDay = await this.rows<{ day: string; conversations: number; messages: number }>(
      `SELECT to_char(date_trunc('day', m.created_at), 'YYYY-MM-DD') AS day,
              count(DISTINCT m.conversation_id)::int AS conversations, count(*)::int AS messages
         FROM instagram_messages m WHERE m.direction = 'in' AND m.created_at BETWEEN $1 AND $2
        GROUP BY 1 ORDER BY 1`,
      bind,
    );
    const answeredBy = await this.rows<{ sender_type: string; n: number }>(
      `SELECT sender_type, count(*)::int AS n FROM instagram_messages
        WHERE direction = 'out' AND created_at BETWEEN $1 AND $2 GROUP BY 1`,
      bind,
    );
    const sentiment = await this.rows<{ label: string; n: number }>(
      `SELECT COALESCE(sentiment, 'unknown') AS label, count(*)::int AS n FROM instagram_messages
        WHERE direction = 'in' AND created_at BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 2 DESC`,
      bind,
    );
    const intents = await this.rows<{ label: string; n: number }>(
      `SELECT COALESCE(intent, 'unknown') AS label, count(*)::int AS n FROM instagram_messages
        WHERE direction = 'in' AND created_at BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 2 DESC`,
      bind,
    );
    // Response time: from each user message to the first reply after it in the same thread.
    const [response] = await this.rows<{
      avg: number | null;
      p50: number | null;
      p90: number | null;
      n: number;
    }>(
      `WITH pairs AS (
         SELECT EXTRACT(EPOCH FROM (
                  (SELECT min(o.created_at) FROM instagram_messages o
                    WHERE o.conversation_id = i.conversation_id AND o.direction = 'out' AND o.sender_type <> 'echo'
                      AND o.created_at >= i.created_at)
                  - i.created_at)) AS seconds
           FROM instagram_messages i WHERE i.direction = 'in' AND i.created_at BETWEEN $1 AND $2)
       SELECT avg(seconds)::float AS avg,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)::float AS p50,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds)::float AS p90,
              count(seconds)::int AS n
         FROM pairs WHERE seconds IS NOT NULL`,
      bind,
    );
    const conversions = await this.rows<{ kind: string; n: number }>(
      `SELECT kind, count(*)::int AS n FROM instagram_conversions WHERE created_at BETWEEN $1 AND $2 GROUP BY 1`,
      bind,
    );
    const counts = Object.fromEntries(answeredBy.map((r) => [r.sender_type, r.n]));
    const replies = (counts.bot ?? 0) + (counts.human ?? 0) + (counts.echo ?? 0);
    return {
      range,
      perDay,
      replies: {
        bot: counts.bot ?? 0,
        human: (counts.human ?? 0) + (counts.echo ?? 0),
        aiShare: replies ? (counts.bot ?? 0) / replies : 0,
        humanShare: replies ? ((counts.human ?? 0) + (counts.echo ?? 0)) / replies : 0,
      },
      responseSeconds: {
        avg: response?.avg ?? null,
        p50: response?.p50 ?? null,
        p90: response?.p90 ?? null,
        samples: response?.n ?? 0,
      },
      sentiment,
      intents,
      conversions,
    };
  }

  async users(range: AnalyticsRange) {
    const bind = [range.from, range.to];
    const [totals] = await this.rows<{ total: number; new_users: number; active: number }>(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE created_at BETWEEN $1 AND $2)::int AS new_users,
              count(*) FILTER (WHERE last_seen_at BETWEEN $1 AND $2)::int AS active
         FROM instagram_users`,
      bind,
    );
    const segments = await this.rows<{ segment: string; n: number }>(
      `SELECT COALESCE(segment, 'none') AS segment, count(*)::int AS n FROM instagram_users GROUP BY 1 ORDER BY 2 DESC`,
      [],
    );
    return {
      range,
      total: totals?.total ?? 0,
      new: totals?.new_users ?? 0,
      active: totals?.active ?? 0,
      segments,
    };
  }

  /**
   * Conversions per day and by kind, and for each rule and plan how many threads it reached
   * and how many of those converted afterwards. A rule reaches a thread when it decided one of
   * its messages (tag rules decide nothing, they only add tags); a plan reaches it when one of its
   * messages was sent. A thread counts as converted for a rule or plan when a conversion was
   * recorded there after its first reach in the range, up to the range's end.
   */
  async conversions(range: AnalyticsRange) {
    const bind = [range.from, range.to];
    const perDay = await this.rows<{ day: string; conversions: number; conversations: number }>(
      `SELECT to_char(date_trunc('day', created_at), 'YYYY-MM-DD') AS day, count(*)::int AS conversions,
              count(DISTINCT conversation_id)::int AS conversations
         FROM instagram_conversions WHERE created_at BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 1`,
      bind,
    );
    const byKind = await this.rows<{ kind: string; n: number }>(
      `SELECT kind, count(*)::int AS n FROM instagram_conversions
        WHERE created_at BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 2 DESC, 1`,
      bind,
    );
    const [totals] = await this.rows<{ conversions: number; conversations: number; active: number }>(
      `SELECT (SELECT count(*)::int FROM instagram_conversions WHERE created_at BETWEEN $1 AND $2) AS conversions,
              (SELECT count(DISTINCT conversation_id)::int FROM instagram_conversions
                WHERE created_at BETWEEN $1 AND $2) AS conversations,
              (SELECT count(DISTINCT conversation_id)::int FROM instagram_messages
                WHERE direction = 'in' AND created_at BETWEEN $1 AND $2) AS active`,
      bind,
    );
    const convertedAfter = `EXISTS (SELECT 1 FROM instagram_conversions c
        WHERE c.conversation_id = reached.conversation_id AND c.created_at > reached.first_at AND c.created_at <= $2)`;
    const rules = await this.rows<{ id: string; name: string; triggered: number; converted: number }>(
      `WITH reached AS (
         SELECT rule_id, conversation_id, min(created_at) AS first_at, max(rule_name) AS rule_name
           FROM instagram_decisions WHERE rule_id IS NOT NULL AND created_at BETWEEN $1 AND $2
          GROUP BY 1, 2)
       SELECT reached.rule_id::text AS id, COALESCE(max(r.name), max(reached.rule_name)) AS name,
              count(*)::int AS triggered, count(*) FILTER (WHERE ${convertedAfter})::int AS converted
         FROM reached LEFT JOIN instagram_rules r ON r.id = reached.rule_id
        GROUP BY reached.rule_id ORDER BY 3 DESC, 2`,
      bind,
    );
    const plans = await this.rows<{ id: string; name: string; triggered: number; converted: number }>(
      `WITH reached AS (
         SELECT plan_id, conversation_id, min(sent_at) AS first_at
           FROM instagram_outbox WHERE plan_id IS NOT NULL AND status = 'sent' AND sent_at BETWEEN $1 AND $2
          GROUP BY 1, 2)
       SELECT reached.plan_id::text AS id, COALESCE(max(p.name), reached.plan_id::text) AS name,
              count(*)::int AS triggered, count(*) FILTER (WHERE ${convertedAfter})::int AS converted
         FROM reached LEFT JOIN instagram_agent_plans p ON p.id = reached.plan_id
        GROUP BY reached.plan_id ORDER BY 3 DESC, 2`,
      bind,
    );
    const rated =
      (kind: 'rule' | 'plan') =>
      (row: { id: string; name: string; triggered: number; converted: number }) => {
        const rate = row.triggered ? row.converted / row.triggered : 0;
        // `key` is unique across rules and plans (a list's row key); `ratePercent` is for charts.
        return { key: `${kind}:${row.id}`, kind, ...row, rate, ratePercent: Math.round(rate * 1000) / 10 };
      };
    const conversions = totals?.conversions ?? 0;
    const converted = totals?.conversations ?? 0;
    const active = totals?.active ?? 0;
    return {
      range,
      totals: { conversions, conversations: converted, active, rate: active ? converted / active : 0 },
      perDay,
      byKind,
      rules: rules.map(rated('rule')),
      plans: plans.map(rated('plan')),
    };
  }

  /** How rules and plans did, and what the LLM cost (core's usage ledger, this plugin only). */
  async performance(range: AnalyticsRange) {
    const bind = [range.from, range.to];
    const rules = await this.rows<{
      rule_id: string | null;
      rule_name: string | null;
      action: string;
      decisions: number;
      sent: number;
      refused: number;
    }>(
      `SELECT d.rule_id, d.rule_name, d.action, count(*)::int AS decisions,
              count(o.id) FILTER (WHERE o.status = 'sent')::int AS sent,
              count(o.id) FILTER (WHERE o.status = 'refused')::int AS refused
         FROM instagram_decisions d
         LEFT JOIN instagram_messages m ON m.id = d.message_id
         LEFT JOIN instagram_outbox o ON o.reply_key = 'reply:' || m.mid
        WHERE d.created_at BETWEEN $1 AND $2
        GROUP BY 1, 2, 3 ORDER BY 4 DESC`,
      bind,
    );
    const plans = await this.rows<{ status: string; n: number; avg_progress: number }>(
      `SELECT status, count(*)::int AS n, avg(progress)::float AS avg_progress FROM instagram_agent_plans
        WHERE created_at BETWEEN $1 AND $2 GROUP BY 1`,
      bind,
    );
    const outbox = await this.rows<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM instagram_outbox WHERE created_at BETWEEN $1 AND $2 GROUP BY 1`,
      bind,
    );
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const llm = this.usage
      ? await this.usage.query({
          plugin: 'instagram',
          from: day(range.from),
          to: day(range.to),
          groupBy: ['purpose'],
        })
      : undefined;
    return { range, rules, plans, outbox, llm };
  }
}
