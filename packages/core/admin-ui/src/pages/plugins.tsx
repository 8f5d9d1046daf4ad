import { Async, Badge, Card, DataTable, PageHeader, useApi } from '../components';
import { useI18n } from '../i18n';
import { Link } from '../router';

interface PluginRow {
  id: string;
  version: string;
  dependsOn: string[];
  commands: string[];
  jobs: string[];
  health?: { ok: boolean; details?: Record<string, unknown> };
}

export function HealthBadge({ health }: { health?: { ok: boolean } }) {
  const { t } = useI18n();
  return health?.ok ? <Badge tone="ok">{t('health.ok')}</Badge> : <Badge tone="bad">{t('health.bad')}</Badge>;
}

export function PluginsPage() {
  const { t } = useI18n();
  const plugins = useApi<PluginRow[]>('/admin/api/core/plugins');
  return (
    <>
      <PageHeader title={t('plugins.title')} />
      <Card>
        <Async state={plugins}>
          {(rows) => (
            <DataTable
              testId="plugins-table"
              rows={rows}
              rowKey={(r) => r.id}
              columns={[
                { key: 'id', label: t('plugins.id'), render: (r) => <strong>{r.id}</strong> },
                { key: 'version', label: t('plugins.version') },
                {
                  key: 'health',
                  label: t('plugins.health'),
                  value: (r) => (r.health?.ok ? 1 : 0),
                  render: (r) => <HealthBadge health={r.health} />,
                },
                {
                  key: 'dependsOn',
                  label: t('plugins.dependsOn'),
                  render: (r) => r.dependsOn.join(', ') || '—',
                },
                {
                  key: 'commands',
                  label: t('plugins.commands'),
                  render: (r) => r.commands.map((c) => `/${c}`).join(' ') || '—',
                },
                { key: 'jobs', label: t('plugins.jobs'), render: (r) => r.jobs.join(', ') || '—' },
                {
                  key: 'settings',
                  label: t('plugins.settings'),
                  render: (r) => <Link to={`/settings#${r.id}`}>{t('nav.settings')}</Link>,
                },
              ]}
            />
          )}
        </Async>
      </Card>
    </>
  );
}
