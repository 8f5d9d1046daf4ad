import { useState } from 'react';
import { ApiError, api, pluginPath, type RowAction } from '../api';
import { Card } from '../components';
import { useI18n } from '../i18n';
import { actionsFor } from './row-actions.js';
import { SchemaForm } from './schema-form';

type Row = Record<string, unknown>;

interface Pending {
  action: RowAction;
  id: string;
  row: Row;
}

/**
 * Row actions of a page (list rows, detail view): the buttons, the small form of an action with
 * `input`, and the outcome of the last one. `onSettled` reloads the rows after every answer: a
 * refusal (already decided elsewhere) means what is shown is stale too.
 */
export function useRowActions(plugin: string, actions: RowAction[] | undefined, onSettled: () => void) {
  const i18n = useI18n();
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [asking, setAsking] = useState<Pending | null>(null);

  const send = (p: Pending, body?: Record<string, unknown>) =>
    api(p.action.method, pluginPath(plugin, p.action.endpoint, p.id), body);

  const done = (p: Pending) =>
    setNote({ ok: true, text: i18n.t('rowActions.done', { action: i18n.text(p.action.label), row: p.id }) });

  const run = async (p: Pending) => {
    if (p.action.input) {
      setNote(null);
      setAsking(p);
      return;
    }
    if (p.action.confirm && !window.confirm(i18n.text(p.action.confirm))) return;
    setBusy(`${p.action.id}:${p.id}`);
    setNote(null);
    try {
      await send(p);
      done(p);
    } catch (err) {
      setNote({
        ok: false,
        text: i18n.t('rowActions.failed', {
          action: i18n.text(p.action.label),
          row: p.id,
          message: err instanceof Error ? err.message : String(err),
          code: err instanceof ApiError ? err.code : i18n.t('common.error'),
        }),
      });
    } finally {
      setBusy(null);
      onSettled();
    }
  };

  const buttons = (row: Row, id: string) => {
    const shown = actionsFor(actions, row);
    if (shown.length === 0) return null;
    return (
      // The row itself opens the detail view: clicks and Enter on the buttons stay here.
      <fieldset
        className="row-actions"
        aria-label={i18n.t('rowActions.group', { row: id })}
        data-testid={`row-actions-${id}`}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.stopPropagation()}
      >
        {shown.map((action) => (
          <button
            key={action.id}
            type="button"
            className={`btn btn-small${action.tone === 'danger' ? ' btn-danger' : action.tone === 'primary' ? ' btn-primary' : ''}`}
            data-action={action.id}
            disabled={busy !== null}
            aria-busy={busy === `${action.id}:${id}` || undefined}
            aria-expanded={action.input ? asking?.action.id === action.id && asking.id === id : undefined}
            onClick={() => run({ action, id, row })}
          >
            {i18n.text(action.label)}
          </button>
        ))}
      </fieldset>
    );
  };

  const form = asking?.action.input ? (
    <Card title={`${i18n.text(asking.action.label)} · ${asking.id}`}>
      <SchemaForm
        key={`${asking.action.id}:${asking.id}`}
        fields={asking.action.input.fields}
        item={asking.row}
        label={i18n.text(asking.action.input.submit) || i18n.text(asking.action.label)}
        testId={`row-action-form-${asking.action.id}`}
        autoFocus
        onCancel={() => setAsking(null)}
        submit={async (body) => {
          const p = asking;
          if (p.action.confirm && !window.confirm(i18n.text(p.action.confirm))) return;
          try {
            await send(p, body);
          } finally {
            onSettled();
          }
          setAsking(null);
          done(p);
        }}
      />
    </Card>
  ) : null;

  const status = note ? (
    <p
      className={note.ok ? 'form-ok' : 'form-error'}
      role={note.ok ? 'status' : 'alert'}
      data-testid="row-action-note"
    >
      {note.text}
    </p>
  ) : null;

  return { buttons, form, status };
}
