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
  valueLabel,
} from '../components';
import { type I18n, useI18n } from '../i18n';
import { Link, useRouter } from '../router';
import { useSession } from '../session';
import { CustomPage } from './custom-page';
import { useLiveReload } from './live-list';
import { useRowActions } from './row-action-buttons';
import { SchemaForm } from './schema-form';
import { UploadForm } from './upload-form';
import { RowsBarChart } from './widgets';

const PAGE_SIZE = 50;

type Row = Record<string, unknown>;

function tableColumns(columns: Column[], i18n: I18n): TableColumn<Row>[] {
  return columns.map((c) => ({
    key: c.key,
    label: i18n.text(c.label),
    numeric: c.format === 'number' || c.format === 'percent',
    render: (row: Row) => formatValue(pick(row, c.key), c.format, i18n, c.values),
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
  if (page.lookup) {
    return (
      <>
        <PageHeader title={i18n.text(page.title)}>
          {page.description && <p className="muted">{i18n.text(page.description)}</p>}
        </PageHeader>
        <PageActions plugin={plugin} page={page} />
        <LookupView plugin={plugin} page={page} />
      </>
    );
  }
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
  const [filters, setFilters] = useState<Record<string, string>>(() =>
    Object.fromEntries((page.list.filters ?? []).flatMap((f) => (f.default ? [[f.param, f.default]] : []))),
  );
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
  const rowActions = useRowActions(plugin, canWrite ? page.rowActions : undefined, list.reload);
  const live = useLiveReload(plugin, page.list.live, list.reload);

  const [editing, setEditing] = useState<Row | null>(null);
  const columns = tableColumns(page.list.columns, i18n);
  if (page.rowActions?.length && canWrite) {
    columns.push({
      key: '__actions',
      label: t('rowActions.column'),
      value: () => '',
      render: (row) => rowActions.buttons(row, String(pick(row, rowKey))),
    });
  }
  if (page.edit && !page.detail && canWrite) {
    columns.push({
      key: '__edit',
      label: '',
      render: (row) => (
        <button
          type="button"
          className="btn btn-small"
          onClick={(e) => {
            e.stopPropagation();
            setEditing(row);
          }}
        >
          {t('common.edit')}
        </button>
      ),
    });
  }
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

  const edit = page.edit;
  return (
    <>
      {rowActions.status}
      {rowActions.form}
      {edit && editing && canWrite && (
        <Card title={`${i18n.text(edit.label) || t('common.edit')} · ${String(pick(editing, rowKey))}`}>
          <SchemaForm
            key={String(pick(editing, rowKey))}
            fields={edit.fields}
            item={editing}
            label={t('common.save')}
            testId={`edit-${plugin}-${page.id}`}
            onCancel={() => setEditing(null)}
            submit={async (body) => {
              await api(edit.method, pluginPath(plugin, edit.endpoint, String(pick(editing, rowKey))), body);
              setEditing(null);
              list.reload();
            }}
          />
        </Card>
      )}
      <Card>
        {live && (
          <span className="badge badge-ok live-badge" data-testid="live-indicator" title={t('list.liveHint')}>
            {t('list.live')}
          </span>
        )}
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
                        {valueLabel(o, f.values, i18n)}
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
                {page.list.chart && Array.isArray(rows) && (
                  <div className="list-chart" data-testid={`plugin-chart-${plugin}-${page.id}`}>
                    <h2>{i18n.text(page.list.chart.title)}</h2>
                    <RowsBarChart
                      rows={rows}
                      label={page.list.chart.label}
                      labelFormat={page.list.chart.labelFormat}
                      value={page.list.chart.value}
                      title={page.list.chart.title}
                    />
                  </div>
                )}
                <DataTable
                  testId={`plugin-table-${plugin}-${page.id}`}
                  rows={Array.isArray(rows) ? rows : []}
                  columns={columns}
                  rowKey={(row, i) => String(pick(row, rowKey) ?? i)}
                  cards={!!page.rowActions?.length}
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
    <SchemaForm
      fields={create.fields}
      label={i18n.t('common.add')}
      testId={`create-${plugin}-${page.id}`}
      submit={async (body) => {
        await api('POST', pluginPath(plugin, create.endpoint), body);
        onCreated();
      }}
    />
  );
}

/** A search box that opens the page's detail view for what was typed (a client by card id). */
function LookupView({ plugin, page }: { plugin: string; page: PageDef }) {
  const i18n = useI18n();
  const { navigate } = useRouter();
  const lookup = page.lookup!;
  const [value, setValue] = useState('');
  return (
    <Card>
      <form
        className="lookup-form"
        data-testid={`lookup-${plugin}-${page.id}`}
        onSubmit={(e) => {
          e.preventDefault();
          const id = value.trim();
          if (id) navigate(`/p/${plugin}/${page.id}/${encodeURIComponent(id)}`);
        }}
      >
        <div className="field">
          <label htmlFor={`lookup-${page.id}`}>{i18n.text(lookup.label)}</label>
          <input
            id={`lookup-${page.id}`}
            className="input"
            type="search"
            required
            pattern={lookup.pattern}
            placeholder={i18n.text(lookup.placeholder)}
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </div>
        <button type="submit" className="btn btn-primary">
          {i18n.t('lookup.open')}
        </button>
      </form>
    </Card>
  );
}

function DetailView({ plugin, page, id }: { plugin: string; page: PageDef; id: string }) {
  const i18n = useI18n();
  const { canWrite } = useSession();
  const detail = page.detail!;
  const edit = canWrite ? page.edit : undefined;
  const [editing, setEditing] = useState(false);
  const state = useApi<unknown>(pluginPath(plugin, detail.endpoint, id));
  const rowActions = useRowActions(plugin, canWrite ? page.rowActions : undefined, state.reload);
  return (
    <>
      <PageHeader title={`${i18n.text(page.title)} · ${id}`}>
        <Link to={`/p/${plugin}/${page.id}`} className="btn btn-small">
          ← {i18n.t('common.back')}
        </Link>
        {edit && !editing && state.data !== undefined && (
          <button type="button" className="btn btn-small btn-primary" onClick={() => setEditing(true)}>
            {i18n.text(edit.label) || i18n.t('common.edit')}
          </button>
        )}
      </PageHeader>
      <Async state={state}>
        {(data) => {
          const item = (pick(data, detail.item) ?? {}) as Row;
          return (
            <>
              {rowActions.status}
              {canWrite && page.rowActions && (
                <div className="page-actions">{rowActions.buttons(item, id)}</div>
              )}
              {rowActions.form}
              {edit && editing && (
                <Card title={i18n.text(edit.label) || i18n.t('common.edit')}>
                  <SchemaForm
                    fields={edit.fields}
                    item={item}
                    label={i18n.t('common.save')}
                    testId={`edit-${plugin}-${page.id}`}
                    onCancel={() => setEditing(false)}
                    submit={async (body) => {
                      await api(edit.method, pluginPath(plugin, edit.endpoint, id), body);
                      setEditing(false);
                      state.reload();
                    }}
                  />
                </Card>
              )}
              <Card>
                <dl className="detail" data-testid="detail-fields">
                  {detail.fields.map((f) => (
                    <div key={f.key} className="detail-row">
                      <dt>{i18n.text(f.label)}</dt>
                      <dd>
                        {f.format === 'text' || !f.format ? (
                          <span className="pre">
                            {formatValue(pick(item, f.key), f.format, i18n, f.values)}
                          </span>
                        ) : (
                          formatValue(pick(item, f.key), f.format, i18n, f.values)
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
