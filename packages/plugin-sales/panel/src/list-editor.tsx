import type { ReactNode } from 'react';
import { type FormApi, ItemButtons, ListIssue } from './fields';
import type { T } from './labels';
import { getAt, type Json, keyOf, moveItem, type Path } from './model';

/** How each item is wrapped: a toolbar row, an indented block, both, or an ordered list item. */
type Layout = 'row' | 'item' | 'item-row' | 'ordered';

const WRAPPER_CLASS: Record<Exclude<Layout, 'ordered'>, string> = {
  row: 'toolbar',
  item: 'sales-item',
  'item-row': 'sales-item toolbar',
};

/**
 * A list in the form: its issue, each item (rendered by `children`, which places the item's
 * up/down/remove buttons where it wants them), and an add button. Adding, moving and
 * removing go through `api.reshape`, so issues by index are cleared.
 */
export function ListEditor({
  api,
  t,
  path,
  empty,
  addLabel,
  what,
  movable,
  layout = 'item',
  addClassName = 'btn btn-small',
  children,
}: {
  api: FormApi;
  t: T;
  path: Path;
  /** The item "Add" appends; `count` is the number of items before it. */
  empty: (count: number) => Json;
  /** Already translated; shown after "+". */
  addLabel: string;
  /** Names the item in its buttons' labels for screen readers ("Remove: Line 2"). */
  what: (item: Json, index: number) => string;
  /** Up/down buttons too (the order matters). */
  movable?: boolean;
  layout?: Layout;
  addClassName?: string;
  children: (item: Json, index: number, buttons: ReactNode) => ReactNode;
}) {
  const value = getAt(api.value, path);
  const items: Json[] = Array.isArray(value) ? value : [];
  const labels = { up: t('moveUp'), down: t('moveDown'), remove: t('remove') };
  const rows = items.map((item, i) => {
    const buttons = (
      <ItemButtons
        what={what(item, i)}
        index={i}
        count={items.length}
        labels={labels}
        onMove={movable ? (to) => api.reshape(path, moveItem(items, i, to)) : undefined}
        onRemove={() =>
          api.reshape(
            path,
            items.filter((_: Json, j: number) => j !== i),
          )
        }
      />
    );
    // Objects carry a stable key; plain strings are only added and removed, so the index serves.
    const key = keyOf(item, i);
    const content = children(item, i, buttons);
    return layout === 'ordered' ? (
      <li key={key}>{content}</li>
    ) : (
      <div className={WRAPPER_CLASS[layout]} key={key}>
        {content}
      </div>
    );
  });
  return (
    <>
      <ListIssue api={api} path={path} />
      {layout === 'ordered' ? <ol className="sales-stages">{rows}</ol> : rows}
      <button
        type="button"
        className={addClassName}
        onClick={() => api.reshape(path, [...items, empty(items.length)])}
      >
        + {addLabel}
      </button>
    </>
  );
}
