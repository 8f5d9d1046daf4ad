import { QueryTypes, type Sequelize } from 'sequelize';

export interface SupportStats {
  from: string;
  to: string;
  tickets: number;
  ticketsPerDay: Array<{ day: string; opened: number; handedOff: number; closed: number }>;
  /** Share of tickets handed to a manager. */
  handoffRate: number | null;
  /** Share of closed tickets closed without a handoff. */
  aiResolvedRate: number | null;
  csat: { ratings: number; average: number | null; satisfiedShare: number | null };
  firstResponseSeconds: { count: number; average: number | null; median: number | null };
  resolutionSeconds: { count: number; average: number | null; median: number | null };
  byStatus: Record<string, number>;
}

const round = (v: unknown, digits = 3): number | null => {
  if (v == null) return null;
  const n = Number(v);
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Support statistics over tickets opened in [from, to). */
export class StatsService {
  constructor(private readonly db: Sequelize) {}

  async compute(range: { from: Date; to: Date }): Promise<SupportStats> {
    const replacements = { from: range.from, to: range.to };
    const [totals] = await this.db.query<Record<string, unknown>>(
      `SELECT count(*) AS tickets,
              count(*) FILTER (WHERE handoff_at IS NOT NULL) AS handed_off,
              count(*) FILTER (WHERE status = 'closed') AS closed,
              count(*) FILTER (WHERE status = 'closed' AND handoff_at IS NULL) AS ai_resolved,
              count(rating) AS ratings,
              avg(rating) AS avg_rating,
              count(*) FILTER (WHERE rating >= 4) AS satisfied,
              count(first_response_at) AS fr_count,
              avg(EXTRACT(EPOCH FROM first_response_at - handoff_at)) AS fr_avg,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM first_response_at - handoff_at)) AS fr_median,
              count(closed_at) AS res_count,
              avg(EXTRACT(EPOCH FROM closed_at - opened_at)) AS res_avg,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM closed_at - opened_at)) AS res_median
         FROM support_tickets WHERE opened_at >= :from AND opened_at < :to`,
      { type: QueryTypes.SELECT, replacements },
    );
    const t = totals ?? {};
    const perDay = await this.db.query<Record<string, unknown>>(
      `SELECT to_char(date_trunc('day', opened_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
              count(*) AS opened,
              count(*) FILTER (WHERE handoff_at IS NOT NULL) AS handed_off,
              count(*) FILTER (WHERE status = 'closed') AS closed
         FROM support_tickets WHERE opened_at >= :from AND opened_at < :to
        GROUP BY 1 ORDER BY 1`,
      { type: QueryTypes.SELECT, replacements },
    );
    const statuses = await this.db.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM support_tickets WHERE opened_at >= :from AND opened_at < :to GROUP BY status`,
      { type: QueryTypes.SELECT, replacements },
    );
    const tickets = Number(t.tickets ?? 0);
    const closed = Number(t.closed ?? 0);
    const ratings = Number(t.ratings ?? 0);
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      tickets,
      ticketsPerDay: perDay.map((r) => ({
        day: String(r.day),
        opened: Number(r.opened),
        handedOff: Number(r.handed_off),
        closed: Number(r.closed),
      })),
      handoffRate: tickets ? round(Number(t.handed_off) / tickets) : null,
      aiResolvedRate: closed ? round(Number(t.ai_resolved) / closed) : null,
      csat: {
        ratings,
        average: round(t.avg_rating, 2),
        satisfiedShare: ratings ? round(Number(t.satisfied) / ratings) : null,
      },
      firstResponseSeconds: {
        count: Number(t.fr_count ?? 0),
        average: round(t.fr_avg, 1),
        median: round(t.fr_median, 1),
      },
      resolutionSeconds: {
        count: Number(t.res_count ?? 0),
        average: round(t.res_avg, 1),
        median: round(t.res_median, 1),
      },
      byStatus: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
    };
  }
}
