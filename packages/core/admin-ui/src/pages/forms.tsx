import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError } from '../api';
import { useI18n } from '../i18n';

/** A form that runs `submit`, shows its error, and resets on success. */
export function ActionForm({
  submit,
  children,
  label,
  testId,
}: {
  submit(form: FormData): Promise<void>;
  children: ReactNode;
  label: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    setBusy(true);
    setError('');
    try {
      await submit(new FormData(form));
      form.reset();
    } catch (err) {
      setError(
        err instanceof ApiError ? `${err.message} (${err.code})` : `${t('common.error')}: ${String(err)}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="action-form" onSubmit={onSubmit} data-testid={testId}>
      <div className="form-fields">{children}</div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {label}
      </button>
    </form>
  );
}

export function TextField({
  name,
  label,
  type = 'text',
  required,
  placeholder,
}: {
  name: string;
  label: string;
  type?: string;
  required?: boolean;
  placeholder?: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input className="input" name={name} type={type} required={required} placeholder={placeholder} />
    </label>
  );
}

export function SelectField({ name, label, options }: { name: string; label: string; options: string[] }) {
  return (
    <label className="field">
      <span>{label}</span>
      <select className="input" name={name}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
