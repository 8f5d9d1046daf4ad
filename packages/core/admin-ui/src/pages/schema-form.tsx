import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError, type Field } from '../api';
import { useI18n } from '../i18n';
import { fieldErrors, formBody, initialValues, type Values } from './form-values.js';

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
  autoFocus,
}: {
  fields: Field[];
  /** The item being edited; absent for a create form. */
  item?: unknown;
  label: string;
  testId?: string;
  submit(body: Record<string, unknown>): Promise<void>;
  onCancel?(): void;
  /** Focus the first field when shown (a form opened by a button, for keyboard users). */
  autoFocus?: boolean;
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
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (autoFocus) formRef.current?.querySelector<HTMLElement>('input, textarea, select')?.focus();
  }, [autoFocus]);

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
    <form ref={formRef} className="action-form" onSubmit={onSubmit} data-testid={testId}>
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
