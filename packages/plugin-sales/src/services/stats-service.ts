import type { Sql } from './sql.js';

/** The funnel by stage, conversion to a group, the share of each strategy, the median time per stage. */
export class SalesStatsService {
  constructor(private readonly sql: Sql) {}

  async stats(script?: string) {
    const bind = script ? [script] : [];
    const scriptJoin = 'JOIN sales_scripts s ON s.id = c.script_id';
    const scriptWhere = script ? 'WHERE s.slug = $1' : '';
    const totals = await this.sql.one<Record<string, string>>(
      `SELECT count(*) AS total,
         count(*) FILTER (WHERE c.status = 'active') AS active,
         count(*) FILTER (WHERE c.status = 'paused') AS paused,
         count(*) FILTER (WHERE c.end_reason = 'client_stop') AS stopped,
         count(*) FILTER (WHERE c.end_reason = 'education') AS education,
         count(*) FILTER (WHERE c.education_status = 'invited') AS invited
       FROM sales_client_conversations c ${scriptJoin} ${scriptWhere}`,
      bind,
    );
    const funnel = await this.sql.rows<{
      stage: string;
      conversations: string;
      median_seconds: number | null;
    }>(
      `SELECT j.stage, count(DISTINCT j.conversation_id) AS conversations,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM j.left_at - j.entered_at))
           FILTER (WHERE j.left_at IS NOT NULL) AS median_seconds,
         min(j.entered_at) AS first_at
       FROM sales_journey_progress j JOIN sales_client_conversations c ON c.id = j.conversation_id ${scriptJoin}
       ${scriptWhere} GROUP BY j.stage ORDER BY count(DISTINCT j.conversation_id) DESC, min(j.entered_at)`,
      bind,
    );
    const strategies = await this.sql.rows<{ strategy: string; messages: string }>(
      `SELECT m.strategy, count(*) AS messages FROM sales_conversation_messages m
       JOIN sales_client_conversations c ON c.id = m.conversation_id ${scriptJoin}
       ${script ? 'WHERE s.slug = $1 AND' : 'WHERE'} m.author = 'client' AND m.strategy IS NOT NULL GROUP BY m.strategy`,
      bind,
    );
    const analysed = strategies.reduce((n, r) => n + Number(r.messages), 0);
    const total = Number(totals?.total ?? 0);
    return {
      conversations: {
        total,
        active: Number(totals?.active ?? 0),
        paused: Number(totals?.paused ?? 0),
        stopped: Number(totals?.stopped ?? 0),
        toEducation: Number(totals?.education ?? 0),
        invited: Number(totals?.invited ?? 0),
      },
      conversionToGroup: total ? Number(totals?.education ?? 0) / total : 0,
      funnel: funnel.map((r) => ({
        stage: r.stage,
        conversations: Number(r.conversations),
        medianSeconds: r.median_seconds === null ? null : Math.round(Number(r.median_seconds)),
      })),
      strategies: ['script_80', 'free_20'].map((strategy) => {
        const messages = Number(strategies.find((r) => r.strategy === strategy)?.messages ?? 0);
        return { strategy, messages, share: analysed ? messages / analysed : 0 };
      }),
    };
  }
}
