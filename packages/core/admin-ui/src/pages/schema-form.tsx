import { type FormEvent, useId, useState } from 'react';
import { ApiError, type Field, pick } from '../api';
import { useI18n } from '../i18n';

type Values = Record<string, string | boolean>;

/** The form's starting values: an item's current ones (edit) or empty (create). */
function initialValues(fields: Field[], item: unknown): Values {
  const values: Values = {};
  for (const field of fields) {
    const value = item === undefined ? undefined : pick(item, field.key);
    if (field.type === 'boolean') values[field.key] = value === true;
    else if (field.type === 'list')
      values[field.key] = Array.isArray(value) ? value.map(String).join('\n') : '';
    else if (field.type === 'select')
      values[field.key] = value == null ? (field.options?.[0] ?? '') : String(value);
    else values[field.key] = value == null ? '' : String(value);
  }
  return values;
}

/** The JSON body the fields stand for; an empty optional field is left out. */
export function formBody(fields: Field[], values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.key];
    if (field.type === 'boolean') {
      body[field.key] = value === true;
      continue;
    }
    const raw = typeof value === 'string' ? value : '';
    if (field.type === 'list') {
      body[field.key] = raw
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      continue;
    }
    if (raw.trim() === '' && !field.required) continue;
    body[field.key] = field.type === 'number' || field.type === 'telegramId' ? Number(raw) : raw;
  }
  return body;
}

/**
 * Which field each problem of a refused write belongs to: the 422 `issues` (by path, `tags.0`
 * belongs to `tags`) and a domain error's `details.field`. The rest is said above the button.
 */
export function fieldErrors(
  fields: Field[],
  error: ApiError,
): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  const owner = (path: string) =>
    fields.find((f) => path === f.key || path.startsWith(`${f.key}.`))?.key ?? undefined;
  for (const issue of error.issues) {
    const key = owner(String(issue.path ?? ''));
    if (key) byField[key] = byField[key] ? `${byField[key]}; ${issue.message}` : issue.message;
    else general.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  const detailField = (error.details as { field?: unknown } | undefined)?.field;
  const key = typeof detailField === 'string' ? owner(detailField) : undefined;
  if (key && !byField[key]) byField[key] = error.message;
  else if (error.issues.length === 0) general.push(`${error.message} (${error.code})`);
  return { byField, general };
}

/**
 * A create or edit form described by a page's schema: controlled fields of each type, the
 * API's refusal shown under the fields it names. `submit` sends the body (the caller picks
 * the method and endpoint); the form empties after a create and keeps the values after an edit.
 */
export function SchemaForm({
  fields,
  item,
  label,
  testId,
  submit,
  onCancel,
}: {
  fields: Field[];
  /** The item being edited; absent for a create form. */
  item?: unknown;
  label: string;
  testId?: string;
  submit(body: Record<string, unknown>): Promise<void>;
  onCancel?(): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const formId = useId();
  const [values, setValues] = useState<Values>(() => initialValues(fields, item));
  const [errors, setErrors] = useState<{ byField: Record<string, string>; general: string[] }>({
    byField: {},
    general: [],
  });
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    setErrors({ byField: {}, general: [] });
    try {
      await submit(formBody(fields, values));
      if (item === undefined) setValues(initialValues(fields, undefined));
      setSaved(true);
    } catch (err) {
      setErrors(
        err instanceof ApiError
          ? fieldErrors(fields, err)
          : { byField: {}, general: [`${t('common.error')}: ${String(err)}`] },
      );
    } finally {
      setBusy(false);
    }
  };

  const set = (key: string, value: string | boolean) => {
    setSaved(false);
    setValues((v) => ({ ...v, [key]: value }));
  };

  return (
    <form className="action-form" onSubmit={onSubmit} data-testid={testId}>
      <div className="form-fields">
        {fields.map((field) => {
          const id = `${formId}-${field.key}`;
          const error = errors.byField[field.key];
          const describedBy = [error ? `${id}-error` : '', field.hint ? `${id}-hint` : '']
            .filter(Boolean)
            .join(' ');
          const common = {
            id,
            name: field.key,
            'aria-invalid': error ? true : undefined,
            'aria-describedby': describedBy || undefined,
          };
          const wide = field.type === 'textarea' || field.type === 'list';
          return (
            <div
              key={field.key}
              className={`field${wide ? ' field-wide' : ''}${error ? ' field-invalid' : ''}`}
              data-field={field.key}
            >
              {field.type === 'boolean' ? (
                <label className="checkbox" htmlFor={id}>
                  <input
                    {...common}
                    type="checkbox"
                    checked={values[field.key] === true}
                    onChange={(e) => set(field.key, e.target.checked)}
                  />
                  {i18n.text(field.label)}
                </label>
              ) : (
                <label htmlFor={id}>{i18n.text(field.label)}</label>
              )}
              {field.type === 'textarea' || field.type === 'list' ? (
                <textarea
                  {...common}
                  className="input"
                  required={field.required && field.type === 'textarea'}
                  rows={field.type === 'list' ? 4 : 8}
                  placeholder={i18n.text(field.placeholder)}
                  value={String(values[field.key] ?? '')}
                  onChange={(e) => set(field.key, e.target.value)}
                />
              ) : field.type === 'select' ? (
                <select
                  {...common}
                  className="input"
                  required={field.required}
                  value={String(values[field.key] ?? '')}
                  onChange={(e) => set(field.key, e.target.value)}
                >
                  {(field.options ?? []).map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : field.type === 'boolean' ? null : (
                <input
                  {...common}
                  className="input"
                  required={field.required}
                  inputMode={field.type === 'text' ? undefined : 'numeric'}
                  pattern={field.type === 'telegramId' ? '-?[0-9]{1,16}' : undefined}
                  type={field.type === 'number' ? 'number' : 'text'}
                  step={field.type === 'number' ? 'any' : undefined}
                  placeholder={i18n.text(field.placeholder)}
                  value={String(values[field.key] ?? '')}
                  onChange={(e) => set(field.key, e.target.value)}
                />
              )}
              {field.type === 'list' && <span className="field-hint">{t('form.onePerLine')}</span>}
              {field.hint && (
                <span className="field-hint" id={`${id}-hint`}>
                  {i18n.text(field.hint)}
                </span>
              )}
              {error && (
                <span className="field-error" id={`${id}-error`} data-testid={`field-error-${field.key}`}>
                  {error}
                </span>
              )}
            </div>
          );
        })}
      </div>
      {errors.general.map((message) => (
        <p key={message} className="form-error" role="alert">
          {message}
        </p>
      ))}
      <div className="form-buttons">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {label}
        </button>
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
        {saved && item !== undefined && (
          <span className="form-ok" role="status">
            {t('common.saved')}
          </span>
        )}
      </div>
    </form>
  );
}
