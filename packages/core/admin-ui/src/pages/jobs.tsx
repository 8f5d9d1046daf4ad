import { useState } from 'react';
import { api } from '../api';
import { Async, Badge, Card, DataTable, PageHeader, useApi } from '../components';
import { useI18n } from '../i18n';
import { useSession } from '../session';

interface JobsView {
  queues: Array<{
    name: string;
    created: number;
    retry: number;
    active: number;
    completed: number;
    failed: number;
  }>;
  failed: Array<{
    id: string;
    name: string;
    retryCount: number;
    error: string | null;
    completedOn: string | null;
  }>;
}

export function JobsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { canWrite } = useSession();
  const jobs = useApi<JobsView>('/admin/api/core/panel/jobs');
  const [note, setNote] = useState('');
  const retry = async (id: string) => {
    await api('POST', `/admin/api/core/panel/jobs/${id}/retry`);
    setNote(t('jobs.retried'));
    jobs.reload();
  };
  return (
    <>
      <PageHeader title={t('jobs.title')} />
      <Async state={jobs}>
        {(view) => (
          <>
            <Card>
              <DataTable
                testId="queues-table"
                rows={view.queues}
                rowKey={(r) => r.name}
                columns={[
                  { key: 'name', label: t('jobs.queue'), render: (r) => <code>{r.name}</code> },
                  {
                    key: 'pending',
                    label: t('jobs.pending'),
                    numeric: true,
                    value: (r) => r.created + r.retry,
                  },
                  { key: 'active', label: t('jobs.active'), numeric: true },
                  { key: 'completed', label: t('jobs.completed'), numeric: true },
                  {
                    key: 'failed',
                    label: t('jobs.failed'),
                    numeric: true,
                    render: (r) => (r.failed ? <Badge tone="bad">{r.failed}</Badge> : 0),
                  },
                ]}
              />
            </Card>
            <Card title={t('jobs.failedJobs')}>
              {note && <p className="form-ok">{note}</p>}
              <DataTable
                testId="failed-jobs-table"
                rows={view.failed}
                rowKey={(r) => r.id}
                columns={[
                  { key: 'name', label: t('jobs.queue'), render: (r) => <code>{r.name}</code> },
                  {
                    key: 'completedOn',
                    label: t('jobs.when'),
                    render: (r) => i18n.formatDate(r.completedOn),
                  },
                  {
                    key: 'error',
                    label: t('jobs.error'),
                    render: (r) => <span className="error-text">{r.error}</span>,
                  },
                  ...(canWrite
                    ? [
                        {
                          key: 'retry',
                          label: '',
                          render: (r: JobsView['failed'][number]) => (
                            <button type="button" className="btn btn-small" onClick={() => retry(r.id)}>
                              {t('jobs.retry')}
                            </button>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
            </Card>
          </>
        )}
      </Async>
    </>
  );
}
