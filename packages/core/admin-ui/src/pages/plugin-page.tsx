import { useState } from 'react';
import { api, type Column, type PageDef, pick, pluginPath } from '../api';
import {
  Async,
  Card,
  DataTable,
  ErrorBoundary,
  formatValue,
  PageHeader,
  type TableColumn,
  useApi,
} from '../components';
import { type I18n, useI18n } from '../i18n';
import { Link, useRouter } from '../router';
import { useSession } from '../session';
import { CustomPage } from './custom-page';
import { ActionForm } from './forms';
import { UploadForm } from './upload-form';

const PAGE_SIZE = 50;

type Row = Record<string, unknown>;

function tableColumns(columns: Column[], i18n: I18n): TableColumn<Row>[] {
  return columns.map((c) => ({
    key: c.key,
    label: i18n.text(c.label),
    numeric: c.format === 'number',
    render: (row: Row) => formatValue(pick(row, c.key), c.format, i18n),
  }));
}

/** A page a plugin declares in its manifest: a list, with detail, create and remove when declared. */
export function PluginPage({
  plugin,
  page,
  itemId,
  uiVersion,
}: {
  plugin: string;
  page: PageDef;
  itemId?: string;
  uiVersion: string;
}) {
  const i18n = useI18n();
  if (page.module) {
    return (
      <>
        <PageHeader title={i18n.text(page.title)} />
        <ErrorBoundary
          resetKey={page.module.url}
          title={i18n.t('page.crashed')}
          hint={i18n.t('page.crashedHint')}
        >
          <CustomPage plugin={plugin} module={page.module} hostVersion={uiVersion} />
        </ErrorBoundary>
      </>
    );
  }
  if (itemId !== undefined && page.detail) return <DetailView plugin={plugin} page={page} id={itemId} />;
  return (
    <>
      <PageHeader title={i18n.text(page.title)}>
        {page.description && <p className="muted">{i18n.text(page.description)}</p>}
      </PageHeader>
      <PageActions plugin={plugin} page={page} />
      <ListView plugin={plugin} page={page} />
    </>
  );
}

/** The page's declared action buttons (admins only), with the outcome of the last one. */
function PageActions({ plugin, page }: { plugin: string; page: PageDef }) {
  const i18n = useI18n();
  const { canWrite } = useSession();
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  if (!canWrite || !page.actions?.length) return null;
  return (
    <div className="page-actions" data-testid={`actions-${plugin}-${page.id}`}>
      {page.actions.map((action) => (
        <button
          key={action.id}
          type="button"
          className="btn"
          disabled={busy}
          onClick={async () => {
            if (action.confirm && !window.confirm(i18n.text(action.confirm))) return;
            setBusy(true);
            try {
              await api('POST', pluginPath(plugin, action.endpoint));
              setNote({ ok: true, text: `${i18n.text(action.label)}: ${i18n.t('actions.done')}` });
            } catch (err) {
              setNote({ ok: false, text: `${i18n.text(action.label)}: ${(err as Error).message}` });
            } finally {
              setBusy(false);
            }
          }}
        >
          {i18n.text(action.label)}
        </button>
      ))}
      {note && (
        <span className={note.ok ? 'form-ok' : 'form-error'} role="status">
          {note.text}
        </span>
      )}
    </div>
  );
}

function ListView({ plugin, page: declared }: { plugin: string; page: PageDef }) {
  const page = declared as PageDef & { list: NonNullable<PageDef['list']> };
  const i18n = useI18n();
  const { t } = i18n;
  const { canWrite } = useSession();
  const { navigate } = useRouter();
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [offset, setOffset] = useState(0);
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
  if (page.list.total) {
    query.set('limit', String(PAGE_SIZE));
    query.set('offset', String(offset));
  }
  const qs = query.toString();
  const list = useApi<unknown>(`${pluginPath(plugin, page.list.endpoint)}${qs ? `?${qs}` : ''}`);
  const rowKey = page.list.rowKey || 'id';

  const columns = tableColumns(page.list.columns, i18n);
  if (page.remove && canWrite) {
    const remove = page.remove;
    columns.push({
      key: '__remove',
      label: '',
      render: (row) => (
        <button
          type="button"
          className="btn btn-small btn-danger"
          onClick={async (e) => {
            e.stopPropagation();
            if (!window.confirm(remove.confirm ? i18n.text(remove.confirm) : t('common.confirmDelete')))
              return;
            await api('DELETE', pluginPath(plugin, remove.endpoint, String(pick(row, rowKey))));
            list.reload();
          }}
        >
          {t('common.delete')}
        </button>
      ),
    });
  }

  return (
    <>
      <Card>
        {page.list.filters && page.list.filters.length > 0 && (
          <div className="toolbar">
            {page.list.filters.map((f) => (
              <div key={f.param} className="field inline">
                <label htmlFor={`filter-${f.param}`}>{i18n.text(f.label)}</label>
                {f.options ? (
                  <select
                    id={`filter-${f.param}`}
                    className="input"
                    value={filters[f.param] ?? ''}
                    onChange={(e) => {
                      setOffset(0);
                      setFilters({ ...filters, [f.param]: e.target.value });
                    }}
                  >
                    <option value="">{t('common.all')}</option>
                    {f.options.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    id={`filter-${f.param}`}
                    className="input"
                    defaultValue={filters[f.param] ?? ''}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') {
                        setOffset(0);
                        setFilters({ ...filters, [f.param]: (e.target as HTMLInputElement).value });
                      }
                    }}
                  />
                )}
              </div>
            ))}
          </div>
        )}
        <Async state={list}>
          {(data) => {
            const rows = (pick(data, page.list.items) as Row[] | undefined) ?? [];
            const total = page.list.total ? Number(pick(data, page.list.total) ?? rows.length) : undefined;
            return (
              <>
                <DataTable
                  testId={`plugin-table-${plugin}-${page.id}`}
                  rows={Array.isArray(rows) ? rows : []}
                  columns={columns}
                  rowKey={(row, i) => String(pick(row, rowKey) ?? i)}
                  onRowClick={
                    page.detail
                      ? (row) =>
                          navigate(`/p/${plugin}/${page.id}/${encodeURIComponent(String(pick(row, rowKey)))}`)
                      : undefined
                  }
                />
                {total !== undefined && total > PAGE_SIZE && (
                  <div className="pager">
                    <span className="muted">
                      {t('common.page', {
                        from: offset + 1,
                        to: Math.min(offset + PAGE_SIZE, total),
                        total,
                      })}
                    </span>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={offset === 0}
                      onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
                    >
                      {t('common.prev')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={offset + PAGE_SIZE >= total}
                      onClick={() => setOffset(offset + PAGE_SIZE)}
                    >
                      {t('common.next')}
                    </button>
                  </div>
                )}
              </>
            );
          }}
        </Async>
      </Card>
      {page.upload && canWrite && (
        <Card title={i18n.text(page.upload.label)}>
          <UploadForm plugin={plugin} upload={page.upload} onDone={list.reload} />
        </Card>
      )}
      {page.create && canWrite && (
        <Card title={i18n.text(page.create.label)}>
          <CreateForm plugin={plugin} page={page} onCreated={list.reload} />
        </Card>
      )}
    </>
  );
}

function CreateForm({ plugin, page, onCreated }: { plugin: string; page: PageDef; onCreated(): void }) {
  const i18n = useI18n();
  const create = page.create!;
  return (
    <ActionForm
      label={i18n.t('common.add')}
      testId={`create-${plugin}-${page.id}`}
      submit={async (form) => {
        const body: Record<string, unknown> = {};
        for (const field of create.fields) {
          const raw = String(form.get(field.key) ?? '');
          if (raw === '' && !field.required) continue;
          body[field.key] = field.type === 'number' || field.type === 'telegramId' ? Number(raw) : raw;
        }
        await api('POST', pluginPath(plugin, create.endpoint), body);
        onCreated();
      }}
    >
      {create.fields.map((field) => (
        <div key={field.key} className={`field${field.type === 'textarea' ? ' field-wide' : ''}`}>
          <label htmlFor={`field-${field.key}`}>{i18n.text(field.label)}</label>
          {field.type === 'textarea' ? (
            <textarea
              id={`field-${field.key}`}
              className="input"
              name={field.key}
              required={field.required}
              rows={6}
              placeholder={i18n.text(field.placeholder)}
            />
          ) : field.type === 'select' ? (
            <select id={`field-${field.key}`} className="input" name={field.key} required={field.required}>
              {(field.options ?? []).map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={`field-${field.key}`}
              className="input"
              name={field.key}
              required={field.required}
              inputMode={field.type === 'text' ? undefined : 'numeric'}
              pattern={field.type === 'telegramId' ? '-?[0-9]{1,16}' : undefined}
              type={field.type === 'number' ? 'number' : 'text'}
              placeholder={i18n.text(field.placeholder)}
            />
          )}
        </div>
      ))}
    </ActionForm>
  );
}

function DetailView({ plugin, page, id }: { plugin: string; page: PageDef; id: string }) {
  const i18n = useI18n();
  const detail = page.detail!;
  const state = useApi<unknown>(pluginPath(plugin, detail.endpoint, id));
  return (
    <>
      <PageHeader title={`${i18n.text(page.title)} · ${id}`}>
        <Link to={`/p/${plugin}/${page.id}`} className="btn btn-small">
          ← {i18n.t('common.back')}
        </Link>
      </PageHeader>
      <Async state={state}>
        {(data) => {
          const item = (pick(data, detail.item) ?? {}) as Row;
          return (
            <>
              <Card>
                <dl className="detail" data-testid="detail-fields">
                  {detail.fields.map((f) => (
                    <div key={f.key} className="detail-row">
                      <dt>{i18n.text(f.label)}</dt>
                      <dd>
                        {f.format === 'text' || !f.format ? (
                          <span className="pre">{formatValue(pick(item, f.key), f.format, i18n)}</span>
                        ) : (
                          formatValue(pick(item, f.key), f.format, i18n)
                        )}
                      </dd>
                    </div>
                  ))}
                </dl>
              </Card>
              {(detail.tables ?? []).map((table) => {
                const rows = pick(data, table.key);
                return (
                  <Card key={table.key} title={i18n.text(table.title)}>
                    <DataTable
                      rows={Array.isArray(rows) ? (rows as Row[]) : []}
                      columns={tableColumns(table.columns, i18n)}
                      rowKey={(row, i) => String(pick(row, 'id') ?? i)}
                    />
                  </Card>
                );
              })}
            </>
          );
        }}
      </Async>
    </>
  );
}
