import { useState } from 'react';
import { api } from '../api';
import { Async, Badge, Card, DataTable, PageHeader, useApi } from '../components';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { ActionForm, SelectField, TextField } from './forms';

interface UserRow {
  id: string;
  username: string;
  role: string;
  createdAt: string;
  lastLoginAt: string | null;
}

interface TokenRow {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function AdminsPage() {
  const { t } = useI18n();
  const { canWrite } = useSession();
  return (
    <>
      <PageHeader title={t('admins.title')} />
      {canWrite ? <AdminLists /> : <p className="note">{t('common.readOnly')}</p>}
    </>
  );
}

function AdminLists() {
  const i18n = useI18n();
  const { t } = i18n;
  const users = useApi<{ users: UserRow[] }>('/admin/api/core/panel/users');
  const tokens = useApi<{ tokens: TokenRow[] }>('/admin/api/core/tokens');
  const [newToken, setNewToken] = useState('');
  return (
    <>
      <Card title={t('admins.users')}>
        <Async state={users}>
          {(data) => (
            <DataTable
              testId="users-table"
              rows={data.users}
              rowKey={(r) => r.id}
              columns={[
                {
                  key: 'username',
                  label: t('admins.username'),
                  render: (r) => <strong>{r.username}</strong>,
                },
                { key: 'role', label: t('admins.role'), render: (r) => <Badge tone="info">{r.role}</Badge> },
                {
                  key: 'lastLoginAt',
                  label: t('admins.lastLogin'),
                  render: (r) => i18n.formatDate(r.lastLoginAt),
                },
                {
                  key: 'delete',
                  label: '',
                  render: (r) => (
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={async () => {
                        if (!window.confirm(t('common.confirmDelete'))) return;
                        await api('DELETE', `/admin/api/core/panel/users/${r.id}`);
                        users.reload();
                      }}
                    >
                      {t('common.delete')}
                    </button>
                  ),
                },
              ]}
            />
          )}
        </Async>
        <h3>{t('admins.newUser')}</h3>
        <ActionForm
          label={t('common.add')}
          testId="new-user-form"
          submit={async (form) => {
            await api('POST', '/admin/api/core/panel/users', {
              username: form.get('username'),
              password: form.get('password'),
              role: form.get('role'),
            });
            users.reload();
          }}
        >
          <TextField name="username" label={t('admins.username')} required />
          <TextField name="password" label={t('admins.password')} type="password" required />
          <SelectField name="role" label={t('admins.role')} options={['viewer', 'admin']} />
        </ActionForm>
      </Card>
      <Card title={t('admins.tokens')}>
        <Async state={tokens}>
          {(data) => (
            <DataTable
              testId="tokens-table"
              rows={data.tokens}
              rowKey={(r) => r.id}
              columns={[
                { key: 'name', label: t('admins.tokenName'), render: (r) => <strong>{r.name}</strong> },
                { key: 'role', label: t('admins.role'), render: (r) => <Badge tone="info">{r.role}</Badge> },
                {
                  key: 'state',
                  label: t('admins.state'),
                  value: (r) => (r.revokedAt ? 0 : 1),
                  render: (r) =>
                    r.revokedAt ? (
                      <Badge tone="muted">{t('admins.revoked')}</Badge>
                    ) : (
                      <Badge tone="ok">{t('admins.active')}</Badge>
                    ),
                },
                {
                  key: 'lastUsedAt',
                  label: t('admins.lastUsed'),
                  render: (r) => i18n.formatDate(r.lastUsedAt),
                },
                {
                  key: 'revoke',
                  label: '',
                  render: (r) =>
                    r.revokedAt ? null : (
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        onClick={async () => {
                          if (!window.confirm(t('common.confirmDelete'))) return;
                          await api('DELETE', `/admin/api/core/tokens/${r.id}`);
                          tokens.reload();
                        }}
                      >
                        {t('admins.revoke')}
                      </button>
                    ),
                },
              ]}
            />
          )}
        </Async>
        <h3>{t('admins.newToken')}</h3>
        {newToken && (
          <div className="secret-once" data-testid="new-token">
            {t('admins.tokenShown')} <code>{newToken}</code>
          </div>
        )}
        <ActionForm
          label={t('common.add')}
          submit={async (form) => {
            const created = await api<{ token: string }>('POST', '/admin/api/core/tokens', {
              name: form.get('name'),
              role: form.get('role'),
            });
            setNewToken(created.token);
            tokens.reload();
          }}
        >
          <TextField name="name" label={t('admins.tokenName')} required />
          <SelectField name="role" label={t('admins.role')} options={['viewer', 'admin']} />
        </ActionForm>
      </Card>
    </>
  );
}
