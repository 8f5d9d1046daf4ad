import { type FormEvent, useState } from 'react';
import { type PageDef, pick, pluginPath, uploadFile } from '../api';
import { DataTable, formatValue } from '../components';
import { useI18n } from '../i18n';

type Upload = NonNullable<PageDef['upload']>;

/** A declared file upload: progress while sending, then the server's report (bad rows included). */
export function UploadForm({ plugin, upload, onDone }: { plugin: string; upload: Upload; onDone(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<{ status: number; body: any } | null>(null);
  const [error, setError] = useState('');

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData();
    for (const option of upload.options ?? []) {
      data.set(
        option.key,
        (form.elements.namedItem(option.key) as HTMLInputElement).checked ? 'true' : 'false',
      );
    }
    const file = (form.elements.namedItem('upload-file') as HTMLInputElement).files?.[0];
    if (!file) return;
    data.set(upload.field, file, file.name);
    setError('');
    setResult(null);
    setProgress(0);
    try {
      const answer = await uploadFile(pluginPath(plugin, upload.endpoint), data, setProgress);
      setResult(answer);
      if (answer.status < 300) {
        form.reset();
        onDone();
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setProgress(null);
    }
  };

  const rows = upload.report?.rows ? pick(result?.body, upload.report.rows.key) : undefined;
  return (
    <form className="action-form" onSubmit={submit} data-testid={`upload-${plugin}`}>
      <div className="form-fields">
        <div className="field">
          <label htmlFor="upload-file">{t('upload.file')}</label>
          <input
            id="upload-file"
            name="upload-file"
            className="input"
            type="file"
            accept={upload.accept}
            required
          />
        </div>
        {(upload.options ?? []).map((option) => (
          <label key={option.key} className="checkbox">
            <input type="checkbox" name={option.key} /> {i18n.text(option.label)}
          </label>
        ))}
      </div>
      {progress !== null && (
        <div className="progress" role="progressbar" aria-valuenow={Math.round(progress * 100)}>
          <div className="progress-bar" style={{ width: `${Math.round(progress * 100)}%` }} />
          <span>{t('upload.progress', { percent: Math.round(progress * 100) })}</span>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={progress !== null}>
        {t('upload.send')}
      </button>
      {result && (
        <div className="upload-report" data-testid="upload-report">
          <p className={result.status < 300 ? 'form-ok' : 'form-error'}>
            {result.status < 300
              ? t('upload.done')
              : `${t('upload.refused', { status: result.status })} ${result.body?.error?.message ?? ''}`}
          </p>
          {upload.report && (
            <dl className="detail">
              {upload.report.fields.map((f) => (
                <div key={f.key} className="detail-row">
                  <dt>{i18n.text(f.label)}</dt>
                  <dd>{formatValue(pick(result.body, f.key), f.format, i18n)}</dd>
                </div>
              ))}
            </dl>
          )}
          {upload.report?.rows && Array.isArray(rows) && rows.length > 0 && (
            <>
              <h3>{i18n.text(upload.report.rows.title)}</h3>
              <DataTable
                rows={rows as Record<string, unknown>[]}
                rowKey={(_, i) => String(i)}
                columns={upload.report.rows.columns.map((c) => ({
                  key: c.key,
                  label: i18n.text(c.label),
                  render: (row: Record<string, unknown>) => formatValue(pick(row, c.key), c.format, i18n),
                }))}
              />
            </>
          )}
        </div>
      )}
    </form>
  );
}
