import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'react';
import { Async, Badge, Card, ChartView, PALETTE, PageHeader, Stat, useApi } from '../components';
import { type I18n, useI18n } from '../i18n';
import { HealthBadge } from './plugins';
import { PluginWidgets } from './widgets';

interface UsageRow {
  day?: string;
  plugin?: string;
  calls: number;
  errors: number;
  totalTokens: number;
  costUsd: number;
}

interface PluginRow {
  id: string;
  version: string;
  health?: { ok: boolean; details?: Record<string, unknown> };
}

interface ActivityDay {
  day: string;
  updates: number;
  users: number;
}

const DAYS = 30;

function lastDays(n: number): string[] {
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(new Date(Date.now() - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

function shortDay(day: string, i18n: I18n): string {
  return new Intl.DateTimeFormat(i18n.lang === 'ru' ? 'ru-RU' : 'en-GB', {
    day: 'numeric',
    month: 'short',
  }).format(new Date(`${day}T00:00:00Z`));
}

export function DashboardPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const days = useMemo(() => lastDays(DAYS), []);
  const plugins = useApi<PluginRow[]>('/admin/api/core/plugins');
  const usage = useApi<{ rows: UsageRow[]; totals: UsageRow }>(
    `/admin/api/core/llm/usage?groupBy=day,plugin&from=${days[0]}&to=${days[days.length - 1]}`,
  );
  const activity = useApi<{ days: ActivityDay[] }>(`/admin/api/core/panel/activity?days=${DAYS}`);
  const errors = useApi<ErrorsAnswer>(`/admin/api/core/panel/errors?days=${DAYS}&limit=10`);

  return (
    <div className="dashboard" data-testid="dashboard">
      <PageHeader title={t('dash.title')} />
      <div className="stats-row">
        <Async state={plugins}>
          {(rows) => (
            <Stat
              label={t('dash.plugins')}
              value={rows.length}
              hint={t('dash.healthy', { ok: rows.filter((r) => r.health?.ok).length, total: rows.length })}
            />
          )}
        </Async>
        <Async state={usage}>
          {(u) => (
            <>
              <Stat label={t('dash.llmCalls')} value={i18n.formatNumber(u.totals.calls)} />
              <Stat label={t('dash.tokens')} value={i18n.formatNumber(u.totals.totalTokens)} />
              <Stat label={t('dash.cost')} value={`$${i18n.formatNumber(u.totals.costUsd, 2)}`} />
              <Stat label={t('dash.errors')} value={i18n.formatNumber(u.totals.errors)} />
            </>
          )}
        </Async>
        <Async state={errors}>
          {(e) => (
            <Stat
              label={t('dash.errorsTotal')}
              value={i18n.formatNumber(e.days.reduce((sum, d) => sum + d.errors, 0))}
            />
          )}
        </Async>
      </div>
      <div className="grid-2">
        <Card title={t('dash.activity')} className="span-2">
          <Async state={activity}>{(a) => <ActivityChart days={days} activity={a.days} />}</Async>
        </Card>
        <Card title={t('dash.callsPerDay')} className="span-2">
          <Async state={usage}>{(u) => <CallsPerDay days={days} rows={u.rows} />}</Async>
        </Card>
        <Card title={t('dash.tokensPerPlugin')}>
          <Async state={usage}>
            {(u) => <PerPlugin rows={u.rows} metric="totalTokens" kind="doughnut" />}
          </Async>
        </Card>
        <Card title={t('dash.costPerPlugin')}>
          <Async state={usage}>{(u) => <PerPlugin rows={u.rows} metric="costUsd" kind="bar" />}</Async>
        </Card>
      </div>
      <PluginWidgets />
      <div className="grid-2">
        <Card title={t('dash.errorsPerDay')}>
          <Async state={errors}>{(e) => <ErrorsPerDay days={days} rows={e.days} />}</Async>
        </Card>
        <Card title={t('dash.health')}>
          <Async state={plugins}>
            {(rows) => (
              <ul className="health-list" data-testid="health-list">
                {rows.map((p) => (
                  <li key={p.id} title={p.health?.details ? JSON.stringify(p.health.details) : undefined}>
                    <span className={`dot ${p.health?.ok ? 'dot-ok' : 'dot-bad'}`} />
                    <strong>{p.id}</strong>
                    <span className="muted">{p.version}</span>
                    <HealthBadge health={p.health} />
                  </li>
                ))}
              </ul>
            )}
          </Async>
        </Card>
        <Card title={t('dash.recentErrors')} className="span-2">
          <Async state={errors}>{(e) => <RecentErrors rows={e.recent} />}</Async>
        </Card>
      </div>
    </div>
  );
}

interface ErrorsAnswer {
  days: Array<{ day: string; source: string; plugin: string; errors: number }>;
  recent: Array<{
    id: string;
    at: string;
    source: string;
    plugin: string | null;
    kind: string;
    code: string | null;
    location: string | null;
    correlationId: string | null;
    message?: string | null;
  }>;
}

function ErrorsPerDay({ days, rows }: { days: string[]; rows: ErrorsAnswer['days'] }) {
  const i18n = useI18n();
  const config = useMemo<ChartConfiguration>(() => {
    const owners = [...new Set(rows.map((r) => r.plugin || 'core'))];
    return {
      type: 'bar',
      data: {
        labels: days.map((d) => shortDay(d, i18n)),
        datasets: owners.map((owner, i) => ({
          label: owner,
          data: days.map((d) =>
            rows
              .filter((r) => r.day === d && (r.plugin || 'core') === owner)
              .reduce((s, r) => s + r.errors, 0),
          ),
          backgroundColor: ERROR_PALETTE[i % ERROR_PALETTE.length],
          borderRadius: 3,
          maxBarThickness: 28,
        })),
      },
      options: {
        plugins: { legend: { position: 'bottom' } },
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }, [days, rows, i18n]);
  if (rows.length === 0) return <p className="empty chart-empty">{i18n.t('dash.noErrors')}</p>;
  return (
    <div data-testid="errors-chart">
      <ChartView config={config} height={240} />
    </div>
  );
}

const ERROR_PALETTE = ['#ef4444', '#f59e0b', '#8b5cf6', '#0ea5e9', '#14b8a6', '#f97316'];

function RecentErrors({ rows }: { rows: ErrorsAnswer['recent'] }) {
  const i18n = useI18n();
  if (rows.length === 0) return <p className="empty">{i18n.t('dash.noErrors')}</p>;
  // A list rather than a table: it reads the same at phone and desktop widths.
  return (
    <ul className="error-list" data-testid="recent-errors">
      {rows.map((r) => (
        <li key={r.id}>
          <div className="error-head">
            <span className="dot dot-bad" />
            <strong>{r.plugin || 'core'}</strong>
            <Badge tone="muted">{r.source}</Badge>
            <span className="muted small">{i18n.formatDate(r.at)}</span>
            {r.correlationId && (
              <code className="small muted error-id" title={r.correlationId}>
                {r.correlationId.slice(0, 8)}
              </code>
            )}
          </div>
          <div className="error-body">
            <code>{r.code ? `${r.kind} ${r.code}` : r.kind}</code>
            {r.message && <span>{r.message}</span>}
          </div>
          {r.location && <div className="muted small error-location">{r.location}</div>}
        </li>
      ))}
    </ul>
  );
}

function NoData() {
  const { t } = useI18n();
  return <p className="empty chart-empty">{t('dash.noData')}</p>;
}

function ActivityChart({ days, activity }: { days: string[]; activity: ActivityDay[] }) {
  const i18n = useI18n();
  const config = useMemo<ChartConfiguration>(() => {
    const byDay = new Map(activity.map((a) => [a.day, a]));
    return {
      type: 'line',
      data: {
        labels: days.map((d) => shortDay(d, i18n)),
        datasets: [
          {
            label: i18n.t('dash.updates'),
            data: days.map((d) => byDay.get(d)?.updates ?? 0),
            borderColor: PALETTE[0],
            backgroundColor: 'rgba(79, 70, 229, 0.12)',
            fill: true,
            tension: 0.3,
            yAxisID: 'y',
          },
          {
            label: i18n.t('dash.activeUsers'),
            data: days.map((d) => byDay.get(d)?.users ?? 0),
            borderColor: PALETTE[2],
            backgroundColor: PALETTE[2],
            tension: 0.3,
            yAxisID: 'y1',
          },
        ],
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 } },
          y1: {
            beginAtZero: true,
            position: 'right',
            grid: { drawOnChartArea: false },
            ticks: { precision: 0 },
          },
        },
      },
    };
  }, [days, activity, i18n]);
  return <ChartView config={config} />;
}

function CallsPerDay({ days, rows }: { days: string[]; rows: UsageRow[] }) {
  const i18n = useI18n();
  const config = useMemo<ChartConfiguration>(() => {
    const plugins = [...new Set(rows.map((r) => r.plugin ?? '—'))];
    return {
      type: 'bar',
      data: {
        labels: days.map((d) => shortDay(d, i18n)),
        datasets: plugins.map((plugin, i) => ({
          label: plugin,
          data: days.map((d) =>
            rows.filter((r) => r.day === d && (r.plugin ?? '—') === plugin).reduce((s, r) => s + r.calls, 0),
          ),
          backgroundColor: PALETTE[i % PALETTE.length],
          borderRadius: 3,
          maxBarThickness: 40,
        })),
      },
      options: {
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }, [days, rows, i18n]);
  if (rows.length === 0) return <NoData />;
  return <ChartView config={config} />;
}

function PerPlugin({
  rows,
  metric,
  kind,
}: {
  rows: UsageRow[];
  metric: 'totalTokens' | 'costUsd';
  kind: 'doughnut' | 'bar';
}) {
  const config = useMemo<ChartConfiguration>(() => {
    const totals = new Map<string, number>();
    for (const r of rows) totals.set(r.plugin ?? '—', (totals.get(r.plugin ?? '—') ?? 0) + r[metric]);
    const labels = [...totals.keys()];
    return {
      type: kind,
      data: {
        labels,
        datasets: [
          {
            label: metric,
            data: labels.map((l) => totals.get(l) ?? 0),
            backgroundColor: labels.map((_, i) => PALETTE[i % PALETTE.length]!),
            borderRadius: kind === 'bar' ? 4 : 0,
            maxBarThickness: 56,
          },
        ],
      },
      options:
        kind === 'bar'
          ? { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
          : { plugins: { legend: { position: 'bottom' } } },
    };
  }, [rows, metric, kind]);
  if (rows.length === 0) return <NoData />;
  return <ChartView config={config} height={240} />;
}
