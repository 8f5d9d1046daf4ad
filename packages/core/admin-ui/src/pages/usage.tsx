import { useMemo, useState } from 'react';
import { api } from '../api';
import { Async, Card, ChartView, DataTable, PALETTE, PageHeader, useApi } from '../components';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { ActionForm, TextField } from './forms';

interface UsageRow {
  day?: string;
  plugin?: string;
  purpose?: string;
  user?: string;
  model?: string;
  calls: number;
  errors: number;
  totalTokens: number;
  costUsd: number;
}

const GROUPS = ['plugin', 'purpose', 'user', 'model', 'day'] as const;
type Group = (typeof GROUPS)[number];

function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

export function UsagePage() {
  const i18n = useI18n();
  const { t } = i18n;
  const [group, setGroup] = useState<Group>('plugin');
  const [from, setFrom] = useState(daysAgo(29));
  const [to, setTo] = useState(daysAgo(0));
  const usage = useApi<{ rows: UsageRow[]; totals: UsageRow }>(
    `/admin/api/core/llm/usage?groupBy=${group}&from=${from}&to=${to}`,
  );
  return (
    <>
      <PageHeader title={t('usage.title')} />
      <Card>
        <div className="toolbar">
          <label className="field inline">
            <span>{t('usage.groupBy')}</span>
            <select className="input" value={group} onChange={(e) => setGroup(e.target.value as Group)}>
              {GROUPS.map((g) => (
                <option key={g} value={g}>
                  {t(`usage.group.${g}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field inline">
            <span>{t('usage.from')}</span>
            <input className="input" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label className="field inline">
            <span>{t('usage.to')}</span>
            <input className="input" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
        </div>
        <Async state={usage}>{(data) => <UsageView rows={data.rows} group={group} />}</Async>
      </Card>
      <Budgets />
    </>
  );
}

function UsageView({ rows, group }: { rows: UsageRow[]; group: Group }) {
  const i18n = useI18n();
  const { t } = i18n;
  const config = useMemo(
    () => ({
      type: 'bar' as const,
      data: {
        labels: rows.map((r) => String(r[group] ?? '—')),
        datasets: [
          { label: t('usage.tokens'), data: rows.map((r) => r.totalTokens), backgroundColor: PALETTE[0] },
        ],
      },
      options: { plugins: { legend: { display: false } } },
    }),
    [rows, group, t],
  );
  return (
    <>
      {rows.length > 0 && <ChartView config={config} height={220} />}
      <DataTable
        testId="usage-table"
        rows={rows}
        rowKey={(r, i) => `${r[group]}-${i}`}
        columns={[
          { key: group, label: t(`usage.group.${group}`) },
          { key: 'calls', label: t('usage.calls'), numeric: true },
          { key: 'errors', label: t('usage.errors'), numeric: true },
          {
            key: 'totalTokens',
            label: t('usage.tokens'),
            numeric: true,
            render: (r) => i18n.formatNumber(r.totalTokens),
          },
          {
            key: 'costUsd',
            label: t('usage.cost'),
            numeric: true,
            render: (r) => i18n.formatNumber(r.costUsd, 4),
          },
        ]}
      />
    </>
  );
}

function Budgets() {
  const i18n = useI18n();
  const { t } = i18n;
  const { canWrite } = useSession();
  const [user, setUser] = useState('');
  const budget = useApi<{
    user: string;
    limits: Array<{ plugin: string; tokens: number }>;
    today: { totalTokens: number };
  }>(user ? `/admin/api/core/llm/budgets/${encodeURIComponent(user)}` : null);
  return (
    <Card title={t('usage.budget')}>
      <ActionForm
        label={t('usage.lookup')}
        submit={async (form) => setUser(String(form.get('user') ?? '').trim())}
      >
        <TextField name="user" label={t('usage.user')} required />
      </ActionForm>
      {user && (
        <Async state={budget}>
          {(b) => (
            <div className="budget">
              <p>{t('usage.today', { tokens: i18n.formatNumber(b.today.totalTokens) })}</p>
              <DataTable
                filterable={false}
                rows={b.limits}
                rowKey={(r) => r.plugin}
                columns={[
                  { key: 'plugin', label: t('usage.plugin') },
                  { key: 'tokens', label: t('usage.limits'), numeric: true },
                ]}
              />
              {canWrite && (
                <ActionForm
                  label={t('usage.setLimit')}
                  submit={async (form) => {
                    const tokens = String(form.get('tokens') ?? '').trim();
                    await api('PUT', `/admin/api/core/llm/budgets/${encodeURIComponent(user)}`, {
                      plugin: String(form.get('plugin') || '*'),
                      tokens: tokens === '' ? null : Number(tokens),
                    });
                    budget.reload();
                  }}
                >
                  <TextField name="plugin" label={t('usage.plugin')} placeholder="*" />
                  <TextField name="tokens" label={t('usage.dailyTokens')} type="number" />
                </ActionForm>
              )}
            </div>
          )}
        </Async>
      )}
    </Card>
  );
}
