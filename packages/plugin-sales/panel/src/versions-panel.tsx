import { type FormEvent, useEffect, useRef, useState } from 'react';
import { messageOf, salesApi } from './host';
import { type T, useLabels } from './labels';
import type { Json } from './model';
import type { VersionInfo } from './scripts-page';

interface Change {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v, null, 1));

/** Published versions: rollback (after a confirm), load one into the editor, diff two. */
export function VersionsPanel({
  id,
  versions,
  t,
  canWrite,
  onChanged,
  onLoadVersion,
}: {
  id: string;
  versions: VersionInfo[];
  t: T;
  canWrite: boolean;
  onChanged(notice: string): Promise<void>;
  onLoadVersion(definition: Json, n: number): void;
}) {
  const { formatDate } = useLabels();
  const [confirming, setConfirming] = useState<number | null>(null);
  const [error, setError] = useState('');
  const confirmRef = useRef<HTMLButtonElement>(null);
  const sorted = [...versions].sort((a, b) => b.number - a.number);
  const latest = sorted[0]?.number;

  useEffect(() => {
    if (confirming !== null) confirmRef.current?.focus();
  }, [confirming]);

  const rollback = async (n: number) => {
    setError('');
    try {
      const r = await salesApi.send<{ version: VersionInfo }>('POST', `/scripts/${id}/rollback`, {
        version: n,
      });
      setConfirming(null);
      await onChanged(t('rolledBack', { n: r.version.number, from: n }));
    } catch (err) {
      setError(messageOf(err));
    }
  };

  const load = async (n: number) => {
    try {
      const r = await salesApi.get<{ version: { definition: Json } }>(`/scripts/${id}/versions/${n}`);
      onLoadVersion(r.version.definition, n);
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <>
      <section className="card">
        <header className="card-header">
          <h2>{t('versions')}</h2>
        </header>
        <div className="card-body">
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          {sorted.length === 0 ? (
            <p className="muted">{t('noVersions')}</p>
          ) : (
            <div className="table-scroll">
              <table className="table sales-stack" data-testid="versions-table">
                <thead>
                  <tr>
                    <th scope="col">{t('version')}</th>
                    <th scope="col">{t('author')}</th>
                    <th scope="col">{t('publishedAt')}</th>
                    <th scope="col">{t('changes')}</th>
                    <th scope="col">
                      <span className="muted">—</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {sorted.map((v) => (
                    <tr key={v.number} data-testid={`version-${v.number}`}>
                      <td data-label={t('version')}>{v.number}</td>
                      <td data-label={t('author')}>{v.author}</td>
                      <td data-label={t('publishedAt')}>{formatDate(v.publishedAt)}</td>
                      <td data-label={t('changes')}>
                        {v.changelog}
                        {v.republishedFrom !== null && (
                          <span className="muted"> ({t('rollbackOf', { n: v.republishedFrom })})</span>
                        )}
                      </td>
                      <td>
                        <div className="form-buttons">
                          <button
                            type="button"
                            className="btn btn-small"
                            hidden={!canWrite}
                            onClick={() => void load(v.number)}
                          >
                            {t('loadVersion', { n: v.number })}
                          </button>
                          {canWrite && v.number !== latest && (
                            <button
                              type="button"
                              className="btn btn-small btn-danger"
                              onClick={() => setConfirming(v.number)}
                            >
                              {t('rollback', { n: v.number })}
                            </button>
                          )}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {confirming !== null && (
            <div
              className="card error-card"
              role="alertdialog"
              aria-labelledby="sales-rollback-q"
              data-testid="rollback-confirm"
            >
              <p id="sales-rollback-q">{t('rollbackConfirm', { n: confirming })}</p>
              <div className="form-buttons">
                <button
                  ref={confirmRef}
                  type="button"
                  className="btn btn-primary"
                  onClick={() => void rollback(confirming)}
                >
                  {t('confirmRollback')}
                </button>
                <button type="button" className="btn" onClick={() => setConfirming(null)}>
                  {t('cancel')}
                </button>
              </div>
            </div>
          )}
        </div>
      </section>
      {sorted.length > 1 && <DiffCard id={id} numbers={sorted.map((v) => v.number)} t={t} />}
    </>
  );
}

function DiffCard({ id, numbers, t }: { id: string; numbers: number[]; t: T }) {
  const [from, setFrom] = useState(numbers[1]!);
  const [to, setTo] = useState(numbers[0]!);
  const [changes, setChanges] = useState<Change[] | null>(null);
  const [error, setError] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      const r = await salesApi.get<{ changes: Change[] }>(`/scripts/${id}/diff?from=${from}&to=${to}`);
      setChanges(r.changes);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const select = (label: string, key: string, value: number, set: (n: number) => void) => (
    <div className="field inline">
      <label htmlFor={key}>{label}</label>
      <select id={key} className="input" value={value} onChange={(e) => set(Number(e.target.value))}>
        {numbers.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <section className="card">
      <header className="card-header">
        <h2>{t('diff')}</h2>
      </header>
      <form className="card-body" onSubmit={submit}>
        <div className="toolbar">
          {select(t('diffFrom'), 'sales-diff-from', from, setFrom)}
          {select(t('diffTo'), 'sales-diff-to', to, setTo)}
          <button type="submit" className="btn">
            {t('showDiff')}
          </button>
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {changes && changes.length === 0 && <p className="muted">{t('noChanges')}</p>}
        {changes && changes.length > 0 && (
          <div className="table-scroll">
            <table className="table sales-diff sales-stack" data-testid="diff-table">
              <thead>
                <tr>
                  <th scope="col">{t('path')}</th>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('before')}</th>
                  <th scope="col">{t('after')}</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((c) => (
                  <tr key={`${c.kind}:${c.path}`}>
                    <td data-label={t('path')}>
                      <code>{c.path}</code>
                    </td>
                    <td data-label={t('kind')}>{t(c.kind)}</td>
                    <td data-label={t('before')}>
                      <pre>{show(c.from)}</pre>
                    </td>
                    <td data-label={t('after')}>
                      <pre>{show(c.to)}</pre>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </form>
    </section>
  );
}
