import { Async, Badge, Card, DataTable, PageHeader, useApi } from '../components';
import { useI18n } from '../i18n';

interface SettingRow {
  owner: string;
  name: string;
  env: string[];
  value: unknown;
  secret: boolean;
  source: string;
  description?: string;
}

export function SettingsPage() {
  const { t } = useI18n();
  const settings = useApi<SettingRow[]>('/admin/api/core/settings');
  return (
    <>
      <PageHeader title={t('settings.title')}>
        <p className="muted">{t('settings.note')}</p>
      </PageHeader>
      <Async state={settings}>
        {(rows) => {
          const owners = [...new Set(rows.map((r) => r.owner))];
          return owners.map((owner) => (
            <Card key={owner} title={owner} className="settings-card">
              <DataTable
                testId={`settings-${owner}`}
                filterable={false}
                rows={rows.filter((r) => r.owner === owner)}
                rowKey={(r) => `${r.owner}.${r.name}`}
                columns={[
                  {
                    key: 'name',
                    label: t('settings.name'),
                    render: (r) => (
                      <div>
                        <code>{r.env[0] ?? r.name}</code>
                        {r.description && <div className="muted small">{r.description}</div>}
                      </div>
                    ),
                  },
                  {
                    key: 'value',
                    label: t('settings.value'),
                    render: (r) => (
                      <span>
                        {r.value === undefined || r.value === null ? (
                          <span className="muted">{t('settings.unset')}</span>
                        ) : (
                          <code>{typeof r.value === 'string' ? r.value : JSON.stringify(r.value)}</code>
                        )}{' '}
                        {r.secret && <Badge tone="muted">{t('settings.secret')}</Badge>}
                      </span>
                    ),
                  },
                  { key: 'source', label: t('settings.source') },
                ]}
              />
            </Card>
          ));
        }}
      </Async>
    </>
  );
}
