import type { RowAction } from '../api.js';
import { pick } from '../api.js';

/** Which row actions a row shows: pure, so it is unit-tested. */

/** Whether `action` applies to `row`: no `when`, or the row's field matches it. */
export function actionApplies(action: Pick<RowAction, 'when'>, row: unknown): boolean {
  const when = action.when;
  if (!when) return true;
  const value = pick(row, when.key);
  if (when.equals !== undefined) return value === when.equals;
  return (when.in ?? []).some((v) => v === value);
}

export function actionsFor<A extends Pick<RowAction, 'when'>>(
  actions: readonly A[] | undefined,
  row: unknown,
): A[] {
  return (actions ?? []).filter((action) => actionApplies(action, row));
}
