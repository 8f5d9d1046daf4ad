import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError, type Field } from '../api';
import { useI18n } from '../i18n';
import {
  emptyRow,
  FormValueError,
  fieldErrors,
  formBody,
  initialValues,
  type RowValues,
  type Values,
} from './form-values.js';

type Scalar = string | boolean;

/** One input of a scalar field type (also used for the cells of an `objects` row). */
function FieldInput({
  field,
  value,
  onChange,
  common,
}: {
  field: Field;
  value: Scalar | undefined;
  onChange(value: Scalar): void;
  common: { id: string; name: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string };
}) {
  const i18n = useI18n();
  if (field.type === 'boolean')
    return (
      <input
        {...common}
        type="checkbox"
        checked={value === true}
        onChange={(e) => onChange(e.target.checked)}
      />
    );
  if (field.type === 'textarea' || field.type === 'list' || field.type === 'json')
    return (
      <textarea
        {...common}
        className={field.type === 'json' ? 'input input-code' : 'input'}
        required={field.required && field.type !== 'list'}
        rows={field.type === 'list' ? 4 : 8}
        spellCheck={field.type === 'json' ? false : undefined}
        placeholder={i18n.text(field.placeholder)}
        value={String(value ?? '')}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  if (field.type === 'select')
    return (
      <select
        {...common}
        className="input"
        required={field.required}
        value={String(value ?? '')}
        onChange={(e) => onChange(e.target.value)}
      >
        {(field.options ?? []).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  return (
    <input
      {...common}
      className="input"
      required={field.required}
      inputMode={field.type === 'text' ? undefined : 'numeric'}
      pattern={field.type === 'telegramId' ? '-?[0-9]{1,16}' : undefined}
      type={field.type === 'number' ? 'number' : 'text'}
      step={field.type === 'number' ? 'any' : undefined}
      placeholder={i18n.text(field.placeholder)}
      value={String(value ?? '')}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** An `objects` field: one line of inputs per sub-object, with add and remove buttons. */
function ObjectRows({
  field,
  id,
  rows,
  onChange,
}: {
  field: Field;
  id: string;
  rows: RowValues[];
  onChange(rows: RowValues[]): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const subfields = field.fields ?? [];
  return (
    <div className="object-rows" data-testid={`object-rows-${field.key}`}>
      {rows.length === 0 && <p className="muted">{t('common.empty')}</p>}
      {rows.map((row, index) => (
        // Rows have no identity of their own; the inputs are controlled, so the index is enough.
        <fieldset key={index} className="object-row" aria-label={`${i18n.text(field.label)} ${index + 1}`}>
          {subfields.map((sub) => {
            const subId = `${id}-${index}-${sub.key}`;
            const input = (
              <FieldInput
                field={sub}
                value={row[sub.key]}
                common={{ id: subId, name: `${field.key}.${index}.${sub.key}` }}
                onChange={(value) =>
                  onChange(rows.map((r, i) => (i === index ? { ...r, [sub.key]: value } : r)))
                }
              />
            );
            return sub.type === 'boolean' ? (
              <label key={sub.key} className="checkbox" htmlFor={subId}>
                {input}
                {i18n.text(sub.label)}
              </label>
            ) : (
              <div key={sub.key} className="field">
                <label htmlFor={subId}>{i18n.text(sub.label)}</label>
                {input}
              </div>
            );
          })}
          <button
            type="button"
            className="btn btn-small btn-danger"
            aria-label={`${t('form.removeRow')} ${index + 1}`}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            {t('form.removeRow')}
          </button>
        </fieldset>
      ))}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, emptyRow(field)])}>
        + {t('form.addRow')}
      </button>
    </div>
  );
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
    setSaved(false);
    setErrors({ byField: {}, general: [] });
    let body: Record<string, unknown>;
    try {
      body = formBody(fields, values);
    } catch (err) {
      if (!(err instanceof FormValueError)) throw err;
      setErrors({ byField: { [err.field]: t('form.badJson', { error: err.message }) }, general: [] });
      return;
    }
    setBusy(true);
    try {
      await submit(body);
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

  const set = (key: string, value: Values[string]) => {
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
          const wide = ['textarea', 'list', 'json', 'objects'].includes(field.type);
          const value = values[field.key];
          return (
            <div
              key={field.key}
              className={`field${wide ? ' field-wide' : ''}${error ? ' field-invalid' : ''}`}
              data-field={field.key}
            >
              {field.type === 'boolean' ? (
                <label className="checkbox" htmlFor={id}>
                  <FieldInput
                    field={field}
                    value={value === true}
                    common={common}
                    onChange={(v) => set(field.key, v)}
                  />
                  {i18n.text(field.label)}
                </label>
              ) : field.type === 'objects' ? (
                <span className="field-label" id={id} aria-describedby={common['aria-describedby']}>
                  {i18n.text(field.label)}
                </span>
              ) : (
                <label htmlFor={id}>{i18n.text(field.label)}</label>
              )}
              {field.type === 'objects' ? (
                <ObjectRows
                  field={field}
                  id={id}
                  rows={Array.isArray(value) ? value : []}
                  onChange={(rows) => set(field.key, rows)}
                />
              ) : field.type === 'boolean' ? null : (
                <FieldInput
                  field={field}
                  value={typeof value === 'string' ? value : ''}
                  common={common}
                  onChange={(v) => set(field.key, v)}
                />
              )}
              {field.type === 'list' && <span className="field-hint">{t('form.onePerLine')}</span>}
              {field.type === 'json' && <span className="field-hint">{t('form.json')}</span>}
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
