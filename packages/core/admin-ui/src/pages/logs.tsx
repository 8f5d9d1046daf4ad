import { useEffect, useState } from 'react';
import { get } from '../api';
import { Badge, Card, DataTable, ErrorNote, Loading, PageHeader } from '../components';
import { useI18n } from '../i18n';

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
      <PageHeader title={t('logs.title')}>
        <p className="muted">{t('logs.note')}</p>
      </PageHeader>
      <Card>
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
