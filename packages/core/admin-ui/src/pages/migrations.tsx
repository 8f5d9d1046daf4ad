import { Async, Badge, Card, DataTable, PageHeader, useApi } from '../components';
import { useI18n } from '../i18n';

interface MigrationRow {
  name: string;
  plugin: string;
  migration: string;
  state: 'executed' | 'pending' | 'missing';
  executedAt: string | null;
}

export function MigrationsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const migrations = useApi<MigrationRow[]>('/admin/api/core/migrations');
  return (
    <>
      <PageHeader title={t('migrations.title')} />
      <Card>
        <Async state={migrations}>
          {(rows) => (
            <DataTable
              testId="migrations-table"
              rows={rows}
              rowKey={(r) => r.name}
              columns={[
                { key: 'plugin', label: t('migrations.plugin') },
                { key: 'migration', label: t('migrations.name'), render: (r) => <code>{r.migration}</code> },
                {
                  key: 'state',
                  label: t('migrations.state'),
                  render: (r) => (
                    <Badge tone={r.state === 'executed' ? 'ok' : r.state === 'pending' ? 'info' : 'bad'}>
                      {t(`migrations.state.${r.state}`)}
                    </Badge>
                  ),
                },
                {
                  key: 'executedAt',
                  label: t('migrations.executedAt'),
                  render: (r) => i18n.formatDate(r.executedAt),
                },
              ]}
            />
          )}
        </Async>
      </Card>
    </>
  );
}
