import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import type { FormApi } from './fields';
import { bindHost, host, issuesOf, messageOf, type PanelHost, salesApi, useCanWrite } from './host';
import { type T, useLabels } from './labels';
import { fieldId, type Json, type Path, setAt, toDefinition, withKeys } from './model';
import { ScriptForm } from './script-form';
import { installStyles } from './styles';
import { VersionsPanel } from './versions-panel';

/** Core's custom-page contract: React and the panel kit come from the host. */
export default function createPage(panel: PanelHost) {
  bindHost(panel);
  installStyles();
  return ScriptsPage;
}

interface Summary {
  id: string;
  name: string;
  publishedVersion: number | null;
  hasDraft: boolean;
  draftUpdatedAt: string | null;
}

export interface VersionInfo {
  number: number;
  author: string;
  changelog: string;
  publishedAt: string;
  republishedFrom: number | null;
}

interface Detail {
  script: Summary;
  draft: Json | null;
  versions: VersionInfo[];
}

function ScriptsPage() {
  const [open, setOpen] = useState<string | null>(null);
  return open ? <ScriptEditor id={open} onBack={() => setOpen(null)} /> : <ScriptList onOpen={setOpen} />;
}

function Notice({ ok, children, testId }: { ok?: boolean; children: string; testId?: string }) {
  return (
    <p className={ok ? 'form-ok' : 'form-error'} role={ok ? 'status' : 'alert'} data-testid={testId}>
      {children}
    </p>
  );
}

function ScriptList({ onOpen }: { onOpen(id: string): void }) {
  const { t, formatDate } = useLabels();
  const { Loading, Badge } = host().components;
  const canWrite = useCanWrite();
  const [scripts, setScripts] = useState<Summary[] | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    salesApi.get<{ scripts: Summary[] }>('/scripts').then(
      (r) => setScripts(r.scripts),
      (e) => setError(messageOf(e)),
    );
  }, []);
  useEffect(load, [load]);

  return (
    <div data-testid="sales-scripts">
      <section className="card">
        <header className="card-header">
          <h2>{t('scripts')}</h2>
        </header>
        <div className="card-body">
          {error && <Notice>{error}</Notice>}
          {!scripts && !error && <Loading />}
          {scripts && scripts.length === 0 && <p className="muted">{t('noScripts')}</p>}
          {scripts && scripts.length > 0 && (
            <div className="table-scroll">
              <table className="table sales-stack" data-testid="scripts-table">
                <thead>
                  <tr>
                    <th scope="col">{t('script')}</th>
                    <th scope="col">{t('name')}</th>
                    <th scope="col">{t('publishedVersion')}</th>
                    <th scope="col">{t('draftChanged')}</th>
                  </tr>
                </thead>
                <tbody>
                  {scripts.map((s) => (
                    <tr key={s.id}>
                      <td data-label={t('script')}>
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-label={t('openScript', { id: s.id })}
                          onClick={() => onOpen(s.id)}
                        >
                          {s.id}
                        </button>
                      </td>
                      <td data-label={t('name')}>{s.name}</td>
                      <td data-label={t('publishedVersion')}>
                        {s.publishedVersion ?? <Badge tone="muted">{t('none')}</Badge>}
                      </td>
                      <td data-label={t('draftChanged')}>{formatDate(s.draftUpdatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </section>
      {canWrite && <NewScript t={t} onCreated={onOpen} />}
      {canWrite && <ImportScript t={t} onImported={load} />}
    </div>
  );
}

/** A new script: a one-stage skeleton the editor then fills in. */
function NewScript({ t, onCreated }: { t: T; onCreated(id: string): void }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    const definition = {
      name: name || id,
      startStage: 'start',
      product: { name: name || id, facts: [] },
      stages: [{ id: 'start', goal: name || id, keyMessage: name || id, final: true }],
    };
    try {
      await salesApi.send('POST', '/scripts', { id: id.trim(), definition });
      onCreated(id.trim());
    } catch (err) {
      const issues = issuesOf(err);
      setError(issues.length ? issues.map((i) => `${i.path}: ${i.message}`).join('; ') : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card">
      <header className="card-header">
        <h2>{t('newScript')}</h2>
      </header>
      <form className="card-body" onSubmit={submit} data-testid="new-script">
        <div className="toolbar">
          <div className="field">
            <label htmlFor="sales-new-id">{t('newScriptId')}</label>
            <input id="sales-new-id" className="input" value={id} onChange={(e) => setId(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="sales-new-name">{t('name')}</label>
            <input
              id="sales-new-name"
              className="input"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
        </div>
        {error && <Notice>{error}</Notice>}
        <button type="submit" className="btn btn-primary" disabled={busy || !id.trim()}>
          {t('create')}
        </button>
      </form>
    </section>
  );
}

function ImportScript({ t, onImported }: { t: T; onImported(): void }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await salesApi.send<{ id: string }>('POST', '/scripts/import', { text });
      setResult({ ok: true, text: t('imported', { id: r.id }) });
      setText('');
      onImported();
    } catch (err) {
      const issues = issuesOf(err);
      setResult({
        ok: false,
        text: issues.length
          ? issues.map((i) => `${i.path || t('root')}: ${i.message}`).join('\n')
          : messageOf(err),
      });
    }
  };
  return (
    <section className="card">
      <header className="card-header">
        <h2>{t('importTitle')}</h2>
      </header>
      <form className="card-body" onSubmit={submit}>
        <div className="field field-wide">
          <label htmlFor="sales-import">{t('importText')}</label>
          <textarea
            id="sales-import"
            className="input sales-code"
            rows={6}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        {result && <Notice ok={result.ok}>{result.text}</Notice>}
        <button type="submit" className="btn" disabled={!text.trim()}>
          {t('import')}
        </button>
      </form>
    </section>
  );
}

type Tab = 'form' | 'yaml' | 'versions';

function ScriptEditor({ id, onBack }: { id: string; onBack(): void }) {
  const { t } = useLabels();
  const { Loading, Badge } = host().components;
  const [detail, setDetail] = useState<Detail | null>(null);
  const [value, setValue] = useState<Json>(null);
  const [dirty, setDirty] = useState(false);
  const [issues, setIssues] = useState<Array<{ path: string; message: string }>>([]);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [changelog, setChangelog] = useState('');
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState<Tab>('form');
  const canWrite = useCanWrite();
  const summaryRef = useRef<HTMLDivElement>(null);

  const load = useCallback(
    async (resetForm: boolean) => {
      try {
        const d = await salesApi.get<Detail>(`/scripts/${id}`);
        setDetail(d);
        if (resetForm) {
          let draft = d.draft;
          if (!draft && d.script.publishedVersion)
            draft = (await salesApi.get(`/scripts/${id}/versions/${d.script.publishedVersion}`)).version
              .definition;
          setValue(withKeys(draft ?? {}));
          setDirty(false);
        }
      } catch (err) {
        setNotice({ ok: false, text: messageOf(err) });
      }
    },
    [id],
  );
  useEffect(() => {
    void load(true);
  }, [load]);

  const api: FormApi = {
    value,
    issues: new Map([...issues].reverse().map((i) => [i.path, i.message])),
    set(path: Path, next: Json) {
      setValue((v: Json) => setAt(v, path, next));
      setDirty(true);
    },
    reshape(path: Path, next: Json) {
      setValue((v: Json) => setAt(v, path, next));
      setDirty(true);
      setIssues([]);
    },
  };

  /** Saves the draft; on a refusal shows every issue (at its field and in the summary). */
  const save = async (): Promise<boolean> => {
    setNotice(null);
    try {
      await salesApi.send('PUT', `/scripts/${id}/draft`, { definition: toDefinition(value) });
      setIssues([]);
      await load(true);
      return true;
    } catch (err) {
      const found = issuesOf(err);
      setIssues(found);
      setNotice({ ok: false, text: found.length ? t('invalid', { n: found.length }) : messageOf(err) });
      if (found.length) setTimeout(() => summaryRef.current?.focus(), 0);
      return false;
    }
  };

  const onSave = async () => {
    setBusy(true);
    if (await save()) setNotice({ ok: true, text: t('saved') });
    setBusy(false);
  };

  const onPublish = async () => {
    setBusy(true);
    try {
      if (dirty && !(await save())) return;
      const r = await salesApi.send<{ version: VersionInfo }>('POST', `/scripts/${id}/publish`, {
        changelog,
      });
      setChangelog('');
      await load(false);
      setNotice({ ok: true, text: t('published', { n: r.version.number }) });
    } catch (err) {
      setNotice({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };

  const tabs: Array<{ id: Tab; label: string }> = [
    { id: 'form', label: t('tabForm') },
    { id: 'yaml', label: t('tabYaml') },
    { id: 'versions', label: t('tabVersions') },
  ];
  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const i = tabs.findIndex((x) => x.id === tab);
    const next = tabs[(i + step + tabs.length) % tabs.length]!;
    setTab(next.id);
    document.getElementById(`sales-tab-${next.id}`)?.focus();
  };

  if (!detail || value === null) return notice ? <Notice>{notice.text}</Notice> : <Loading />;

  return (
    <div data-testid="script-editor">
      <div className="page-actions">
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => (!dirty || window.confirm(t('discard'))) && onBack()}
        >
          ← {t('back')}
        </button>
        <h2 className="sales-title">
          {t('script')} <code>{id}</code>
        </h2>
        <span data-testid="published-version">
          {t('publishedVersion')}:{' '}
          {detail.script.publishedVersion ? (
            <Badge tone="ok">{String(detail.script.publishedVersion)}</Badge>
          ) : (
            <Badge tone="muted">{t('none')}</Badge>
          )}
        </span>
        {dirty && <Badge tone="info">{t('unsaved')}</Badge>}
      </div>

      <div className="sales-tabs" role="tablist" aria-label={t('script')} onKeyDown={onTabKey}>
        {tabs.map((x) => (
          <button
            key={x.id}
            id={`sales-tab-${x.id}`}
            type="button"
            role="tab"
            aria-selected={tab === x.id}
            aria-controls={`sales-panel-${x.id}`}
            tabIndex={tab === x.id ? 0 : -1}
            className={tab === x.id ? 'btn btn-primary' : 'btn'}
            onClick={() => setTab(x.id)}
          >
            {x.label}
          </button>
        ))}
      </div>

      {notice && (
        <Notice ok={notice.ok} testId="editor-notice">
          {notice.text}
        </Notice>
      )}

      {tab === 'form' && (
        <div role="tabpanel" id="sales-panel-form" aria-labelledby="sales-tab-form">
          {issues.length > 0 && (
            <div className="card error-card" tabIndex={-1} ref={summaryRef} data-testid="issue-summary">
              <h3>{t('problems')}</h3>
              <ul>
                {issues.map((i) => (
                  <li key={`${i.path}:${i.message}`}>
                    <button
                      type="button"
                      className="btn btn-ghost btn-small"
                      onClick={() => focusField(i.path)}
                    >
                      {i.path || t('root')}
                    </button>
                    : {i.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void onSave();
            }}
          >
            <fieldset className="sales-plain" disabled={!canWrite}>
              <ScriptForm api={api} t={t} />
            </fieldset>
            {canWrite && (
              <div className="sales-actions card">
                <div className="card-body toolbar sales-action-row">
                  <button type="submit" className="btn btn-primary" disabled={busy}>
                    {t('saveDraft')}
                  </button>
                  <div className="field">
                    <label htmlFor="sales-changelog">{t('changelog')}</label>
                    <input
                      id="sales-changelog"
                      className="input"
                      maxLength={2000}
                      aria-describedby="sales-publish-hint"
                      value={changelog}
                      onChange={(e) => setChangelog(e.target.value)}
                    />
                  </div>
                  <button type="button" className="btn" disabled={busy} onClick={() => void onPublish()}>
                    {t('publish')}
                  </button>
                  <p className="field-hint sales-hint" id="sales-publish-hint">
                    {t('publishHint')}
                  </p>
                </div>
              </div>
            )}
          </form>
        </div>
      )}

      {tab === 'yaml' && (
        <div role="tabpanel" id="sales-panel-yaml" aria-labelledby="sales-tab-yaml">
          <YamlPanel id={id} t={t} canWrite={canWrite} onSaved={() => load(true)} />
        </div>
      )}

      {tab === 'versions' && (
        <div role="tabpanel" id="sales-panel-versions" aria-labelledby="sales-tab-versions">
          <VersionsPanel
            id={id}
            versions={detail.versions}
            t={t}
            canWrite={canWrite}
            onChanged={async (text) => {
              await load(false);
              setNotice({ ok: true, text });
            }}
            onLoadVersion={(definition, n) => {
              setValue(withKeys(definition));
              setDirty(true);
              setIssues([]);
              setTab('form');
              setNotice({ ok: true, text: t('loadedVersion', { n }) });
            }}
          />
        </div>
      )}
    </div>
  );
}

/** Focuses the control an issue names, opening its collapsed stage first. */
function focusField(path: string): void {
  const el =
    document.getElementById(fieldId(path)) ??
    document.getElementById(fieldId(path.split('.').slice(0, 2).join('.')));
  const details = el?.closest('details');
  if (details) details.open = true;
  el?.focus();
}

/** The saved draft as a YAML file, replaced through the import endpoint (same checks, same paths). */
function YamlPanel({
  id,
  t,
  canWrite,
  onSaved,
}: {
  id: string;
  t: T;
  canWrite: boolean;
  onSaved(): Promise<void>;
}) {
  const [text, setText] = useState<string | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const { Loading } = host().components;
  useEffect(() => {
    // The export answers YAML, which the panel's JSON client does not read: a plain GET.
    fetch(host().api.pluginPath(`/scripts/${id}/export?format=yaml&draft=true`), {
      credentials: 'same-origin',
    }).then(
      async (r) =>
        r.ok ? setText(await r.text()) : setResult({ ok: false, text: `${r.status} ${r.statusText}` }),
      (e) => setResult({ ok: false, text: String(e) }),
    );
  }, [id]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await salesApi.send('POST', '/scripts/import', { text });
      await onSaved();
      setResult({ ok: true, text: t('saved') });
    } catch (err) {
      const issues = issuesOf(err);
      setResult({
        ok: false,
        text: issues.length
          ? issues.map((i) => `${i.path || t('root')}: ${i.message}`).join('\n')
          : messageOf(err),
      });
    }
  };
  if (text === null) return result ? <Notice>{result.text}</Notice> : <Loading />;
  return (
    <form className="card" onSubmit={save}>
      <div className="card-body">
        <p className="field-hint">{t('yamlHint')}</p>
        <div className="field field-wide">
          <label htmlFor="sales-yaml">{t('yamlText')}</label>
          <textarea
            id="sales-yaml"
            className="input sales-code"
            rows={24}
            spellCheck={false}
            readOnly={!canWrite}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        {result && <Notice ok={result.ok}>{result.text}</Notice>}
        {canWrite && (
          <button type="submit" className="btn btn-primary">
            {t('saveDraft')}
          </button>
        )}
      </div>
    </form>
  );
}
