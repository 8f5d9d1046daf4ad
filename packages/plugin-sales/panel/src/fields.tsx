import { type ReactNode, type RefObject, useEffect, useRef, useState } from 'react';
import { fieldId, getAt, type Json, type Path, pathKey, splitList } from './model';

/** What every control needs: the working copy, the server's issues by path, and setters. */
export interface FormApi {
  value: Json;
  issues: Map<string, string>;
  set(path: Path, next: Json): void;
  /** Adds, removes or moves items: issue paths by index no longer hold, so they are cleared. */
  reshape(path: Path, next: Json): void;
}

function FieldShell({
  api,
  path,
  label,
  wide,
  narrow,
  children,
}: {
  api: FormApi;
  path: Path;
  label: string;
  wide?: boolean;
  narrow?: boolean;
  children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const key = pathKey(path);
  const error = api.issues.get(key);
  const id = fieldId(path);
  const errorId = `${id}-error`;
  return (
    <div
      className={['field', wide && 'field-wide', narrow && 'sales-narrow', error && 'field-invalid']
        .filter(Boolean)
        .join(' ')}
    >
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': error ? errorId : undefined,
      })}
      {error && (
        <span className="field-error" id={errorId} data-testid={`field-error-${key}`}>
          {error}
        </span>
      )}
    </div>
  );
}

export function TextField({
  api,
  path,
  label,
  multiline,
  wide,
  narrow,
  required,
  optional,
}: {
  api: FormApi;
  path: Path;
  label: string;
  multiline?: boolean;
  /** Blank leaves the key out (an optional text the schema refuses when empty). */
  optional?: boolean;
  wide?: boolean;
  /** An id or key: a short box beside the text it names. */
  narrow?: boolean;
  required?: boolean;
}) {
  const value = getAt(api.value, path) ?? '';
  const set = (text: string) => api.set(path, optional && text.trim() === '' ? undefined : text);
  return (
    <FieldShell api={api} path={path} label={label} wide={wide ?? multiline} narrow={narrow}>
      {(props) =>
        multiline ? (
          <textarea
            {...props}
            className="input"
            rows={2}
            aria-required={required}
            value={String(value)}
            onChange={(e) => set(e.target.value)}
          />
        ) : (
          <input
            {...props}
            className="input"
            aria-required={required}
            value={String(value)}
            onChange={(e) => set(e.target.value)}
          />
        )
      }
    </FieldShell>
  );
}

/** A number; blank leaves the key out, so the server names a required one. */
export function NumberField({
  api,
  path,
  label,
  step,
}: {
  api: FormApi;
  path: Path;
  label: string;
  step?: string;
}) {
  const value = getAt(api.value, path);
  return (
    <FieldShell api={api} path={path} label={label}>
      {(props) => (
        <input
          {...props}
          className="input"
          type="number"
          inputMode="decimal"
          step={step}
          value={value === undefined || value === null ? '' : String(value)}
          onChange={(e) => api.set(path, e.target.value === '' ? undefined : Number(e.target.value))}
        />
      )}
    </FieldShell>
  );
}

/** A list of words as comma-separated text; the raw text stays while it parses to the same list. */
export function ListField({ api, path, label }: { api: FormApi; path: Path; label: string }) {
  const list: string[] = Array.isArray(getAt(api.value, path)) ? getAt(api.value, path) : [];
  const joined = list.join(', ');
  const [text, setText] = useState(joined);
  useEffect(() => {
    if (splitList(text).join(', ') !== joined) setText(joined);
    // Only an outside change (load, another version) resets the text.
  }, [joined]);
  return (
    <FieldShell api={api} path={path} label={label}>
      {(props) => (
        <input
          {...props}
          className="input"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            const next = splitList(e.target.value);
            api.set(path, next.length ? next : undefined);
          }}
        />
      )}
    </FieldShell>
  );
}

export function SelectField({
  api,
  path,
  label,
  options,
  onChange,
}: {
  api: FormApi;
  path: Path;
  label: string;
  options: Array<{ value: string; label: string }>;
  onChange?: (value: string) => void;
}) {
  const value = String(getAt(api.value, path) ?? '');
  const known = options.some((o) => o.value === value);
  return (
    <FieldShell api={api} path={path} label={label}>
      {(props) => (
        <select
          {...props}
          className="input"
          value={value}
          onChange={(e) => (onChange ? onChange(e.target.value) : api.set(path, e.target.value))}
        >
          {!known && <option value={value}>{value || '—'}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

/** An optional flag: checked is `true`, unchecked leaves the key out. */
export function CheckField({ api, path, label }: { api: FormApi; path: Path; label: string }) {
  const id = fieldId(path);
  const error = api.issues.get(pathKey(path));
  return (
    <div className="field inline">
      <label className="checkbox" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={getAt(api.value, path) === true}
          onChange={(e) => api.set(path, e.target.checked ? true : undefined)}
        />{' '}
        {label}
      </label>
      {error && (
        <span className="field-error" data-testid={`field-error-${pathKey(path)}`}>
          {error}
        </span>
      )}
    </div>
  );
}

/** An issue at a list itself (`stages.1.transitions`: a cycle, too many items). */
export function ListIssue({ api, path }: { api: FormApi; path: Path }) {
  const error = api.issues.get(pathKey(path));
  return error ? (
    <p className="field-error" role="note" data-testid={`field-error-${pathKey(path)}`}>
      {error}
    </p>
  ) : null;
}

/** Small buttons on a list item: up, down, remove (labels name the item for screen readers). */
export function ItemButtons({
  what,
  index,
  count,
  onMove,
  onRemove,
  labels,
}: {
  what: string;
  index: number;
  count: number;
  onMove?: (to: number) => void;
  onRemove: () => void;
  labels: { up: string; down: string; remove: string };
}) {
  return (
    <div className="form-buttons">
      {onMove && (
        <>
          <button
            type="button"
            className="btn btn-small"
            disabled={index === 0}
            aria-label={`${labels.up}: ${what}`}
            onClick={() => onMove(index - 1)}
          >
            ↑ {labels.up}
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={index === count - 1}
            aria-label={`${labels.down}: ${what}`}
            onClick={() => onMove(index + 1)}
          >
            ↓ {labels.down}
          </button>
        </>
      )}
      <button
        type="button"
        className="btn btn-small btn-danger"
        aria-label={`${labels.remove}: ${what}`}
        onClick={onRemove}
      >
        {labels.remove}
      </button>
    </div>
  );
}

/**
 * Opens a `<details>` when `open` becomes true and otherwise leaves it as the person set it.
 * As an `open` prop, a stage opened for an issue closed again the moment the issue cleared
 * (any list change clears issues), under the person's hands.
 */
export function useOpenWhen(open: boolean): RefObject<HTMLDetailsElement | null> {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (open && ref.current) ref.current.open = true;
  }, [open]);
  return ref;
}
