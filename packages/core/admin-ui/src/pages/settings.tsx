import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api';
import { Async, Badge, Card, DataTable, PageHeader, useApi } from '../components';
import { useI18n } from '../i18n';
import { useSession } from '../session';

interface SettingRow {
  owner: string;
  name: string;
  env: string[];
  value: unknown;
  secret: boolean;
  source: string;
  description?: string;
  /** Per panel language (`en` = `description`). */
  descriptions?: { en: string; ru?: string };
}

interface RuntimeSetting {
  owner: string;
  name: string;
  value: unknown;
  overridden: boolean;
  updatedBy: string | null;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** "20" → 20, "true" → true, anything that is not JSON stays text; the server validates. */
function parseInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function RuntimeEditor({ setting, onSaved }: { setting: RuntimeSetting; onSaved(): void }) {
  const { t } = useI18n();
  const [error, setError] = useState('');
  const path = `/admin/api/core/panel/settings/runtime/${setting.owner}/${encodeURIComponent(setting.name)}`;
  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const value = String(new FormData(e.currentTarget).get('value') ?? '');
    setError('');
    try {
      await api('PUT', path, { value: parseInput(value) });
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <form className="inline-edit" onSubmit={save} data-testid={`runtime-${setting.owner}-${setting.name}`}>
      <input
        className="input"
        name="value"
        aria-label={`${setting.owner}.${setting.name}`}
        defaultValue={show(setting.value)}
        key={show(setting.value)}
      />
      <button type="submit" className="btn btn-small btn-primary">
        {t('common.save')}
      </button>
      {setting.overridden && (
        <button
          type="button"
          className="btn btn-small"
          onClick={async () => {
            await api('DELETE', path);
            onSaved();
          }}
        >
          {t('settings.reset')}
        </button>
      )}
      {error && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

export function SettingsPage() {
  const { t, text } = useI18n();
  const { canWrite } = useSession();
  const settings = useApi<SettingRow[]>('/admin/api/core/settings');
  const runtime = useApi<{ settings: RuntimeSetting[] }>('/admin/api/core/panel/settings/runtime');
  const runtimeOf = (r: SettingRow) =>
    runtime.data?.settings.find((s) => s.owner === r.owner && s.name === r.name);
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
                        {runtimeOf(r) && (
                          <>
                            {' '}
                            <Badge tone="info">{t('settings.runtime')}</Badge>
                          </>
                        )}
                        {r.description && (
                          <div className="muted small">{text(r.descriptions) || r.description}</div>
                        )}
                      </div>
                    ),
                  },
                  {
                    key: 'value',
                    label: t('settings.value'),
                    render: (r) => {
                      const live = runtimeOf(r);
                      if (live && canWrite) return <RuntimeEditor setting={live} onSaved={runtime.reload} />;
                      const value = live ? live.value : r.value;
                      return (
                        <span>
                          {value === undefined || value === null ? (
                            <span className="muted">{t('settings.unset')}</span>
                          ) : (
                            <code>{show(value)}</code>
                          )}{' '}
                          {r.secret && <Badge tone="muted">{t('settings.secret')}</Badge>}
                        </span>
                      );
                    },
                  },
                  {
                    key: 'source',
                    label: t('settings.source'),
                    render: (r) => {
                      const live = runtimeOf(r);
                      return live?.overridden
                        ? t('settings.override', { who: live.updatedBy ?? '' })
                        : r.source;
                    },
                  },
                ]}
              />
            </Card>
          ));
        }}
      </Async>
    </>
  );
}
