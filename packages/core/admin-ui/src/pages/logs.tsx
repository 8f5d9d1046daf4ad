import { useEffect, useState } from 'react';
import { get } from '../api';
import { Async, Badge, Card, DataTable, ErrorNote, Loading, PageHeader, useApi } from '../components';
import { useI18n } from '../i18n';
import { useSession } from '../session';

interface LogEntry {
  seq: number;
  time: string;
  level: string;
  msg: string;
  plugin?: string;
  component?: string;
  correlationId?: string;
  fields: Record<string, unknown>;
}

const LEVELS = ['debug', 'info', 'warn', 'error'];

function AppLogs() {
  const i18n = useI18n();
  const { t } = i18n;
  const [filters, setFilters] = useState<Record<string, string>>({ level: 'info' });
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  const logs = useApi<{ entries: LogEntry[] }>(`/admin/api/core/panel/logs?${query}`);
  const text = (key: string, label: string) => (
    <div className="field inline">
      <label htmlFor={`log-${key}`}>{label}</label>
      <input
        id={`log-${key}`}
        className="input"
        defaultValue={filters[key] ?? ''}
        onKeyDown={(e) => {
          if (e.key === 'Enter')
            setFilters({ ...filters, [key]: (e.target as HTMLInputElement).value.trim() });
        }}
      />
    </div>
  );
  return (
    <Card title={t('logs.app')}>
      <p className="muted small">{t('logs.appNote')}</p>
      <div className="toolbar">
        <div className="field inline">
          <label htmlFor="log-level">{t('logs.level')}</label>
          <select
            id="log-level"
            className="input"
            value={filters.level}
            onChange={(e) => setFilters({ ...filters, level: e.target.value })}
          >
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
        {text('plugin', t('logs.plugin'))}
        {text('correlationId', t('logs.correlation'))}
        {text('q', t('logs.text'))}
      </div>
      <Async state={logs}>
        {(data) => (
          <DataTable
            testId="app-logs-table"
            filterable={false}
            rows={data.entries}
            rowKey={(r) => String(r.seq)}
            columns={[
              { key: 'time', label: t('logs.when'), render: (r) => i18n.formatDate(r.time) },
              {
                key: 'level',
                label: t('logs.level'),
                render: (r) => (
                  <Badge
                    tone={
                      r.level === 'error' || r.level === 'fatal'
                        ? 'bad'
                        : r.level === 'warn'
                          ? 'info'
                          : 'muted'
                    }
                  >
                    {r.level}
                  </Badge>
                ),
              },
              { key: 'plugin', label: t('logs.plugin'), value: (r) => r.plugin ?? r.component ?? '' },
              { key: 'msg', label: t('logs.message') },
              {
                key: 'fields',
                label: t('logs.details'),
                value: (r) => JSON.stringify(r.fields),
                render: (r) =>
                  Object.keys(r.fields).length ? (
                    <code className="json">{JSON.stringify(r.fields)}</code>
                  ) : (
                    '—'
                  ),
              },
            ]}
          />
        )}
      </Async>
    </Card>
  );
}

interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  actorKind: string;
  role: string | null;
  method: string;
  path: string;
  status: number;
  summary: unknown;
}

export function LogsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState(false);
  const { canWrite } = useSession();

  const load = async (before?: string) => {
    try {
      const page = await get<{ entries: AuditEntry[] }>(
        `/admin/api/core/panel/audit?limit=100${before ? `&before=${before}` : ''}`,
      );
      setEntries((old) => [...(before ? (old ?? []) : []), ...page.entries]);
      setDone(page.entries.length < 100);
    } catch (err) {
      setError(err as Error);
    }
  };
  useEffect(() => {
    load();
  }, []);

  return (
    <>
      <PageHeader title={t('logs.title')} />
      {canWrite && <AppLogs />}
      <Card title={t('logs.audit')}>
        <p className="muted small">{t('logs.note')}</p>
        {error ? (
          <ErrorNote error={error} />
        ) : !entries ? (
          <Loading />
        ) : (
          <>
            <DataTable
              testId="audit-table"
              rows={entries}
              rowKey={(r) => r.id}
              columns={[
                { key: 'at', label: t('logs.when'), render: (r) => i18n.formatDate(r.at) },
                {
                  key: 'actor',
                  label: t('logs.who'),
                  render: (r) => (
                    <span>
                      <strong>{r.actor}</strong> {r.role && <span className="muted small">{r.role}</span>}
                    </span>
                  ),
                },
                { key: 'actorKind', label: t('logs.how') },
                {
                  key: 'path',
                  label: t('logs.what'),
                  render: (r) => (
                    <code>
                      {r.method} {r.path}
                    </code>
                  ),
                },
                {
                  key: 'status',
                  label: t('logs.status'),
                  render: (r) => <Badge tone={r.status < 400 ? 'ok' : 'bad'}>{r.status}</Badge>,
                },
                {
                  key: 'summary',
                  label: t('logs.summary'),
                  value: (r) => JSON.stringify(r.summary),
                  render: (r) =>
                    r.summary == null ? '—' : <code className="json">{JSON.stringify(r.summary)}</code>,
                },
              ]}
            />
            {!done && entries.length > 0 && (
              <button type="button" className="btn" onClick={() => load(entries[entries.length - 1]!.id)}>
                {t('logs.more')}
              </button>
            )}
          </>
        )}
      </Card>
    </>
  );
}
