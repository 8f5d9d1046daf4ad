import type * as ReactTypes from 'react';

// The page runs on the panel's own React (one copy: hooks need it), handed over in
// createPage(host). The build maps `react` and `react/jsx-runtime` here, so the sources import
// React as usual and the bundle carries none of it.

let R: typeof ReactTypes;

export function bindReact(react: typeof ReactTypes): void {
  R = react;
  Fragment = react.Fragment;
}

export let Fragment: typeof ReactTypes.Fragment;
export const useState: typeof ReactTypes.useState = ((initial: unknown) => R.useState(initial)) as never;
export const useEffect: typeof ReactTypes.useEffect = (effect, deps) => R.useEffect(effect, deps);
export const useMemo: typeof ReactTypes.useMemo = (factory, deps) => R.useMemo(factory, deps);
export const useCallback: typeof ReactTypes.useCallback = (fn, deps) => R.useCallback(fn, deps);
export const useRef: typeof ReactTypes.useRef = ((initial: unknown) => R.useRef(initial)) as never;
export const useId: typeof ReactTypes.useId = () => R.useId();
// The automatic runtime falls back to createElement for a `key` after a spread.
export const createElement: typeof ReactTypes.createElement = ((...args: unknown[]) =>
  (R.createElement as (...a: unknown[]) => unknown)(...args)) as never;

type Props = { children?: unknown; [key: string]: unknown } | null;

/** The automatic JSX runtime over createElement: `jsxs` children are a static list. */
export function jsx(type: never, props: Props, key?: string): unknown {
  const { children, ...rest } = props ?? {};
  if (key !== undefined) rest.key = key;
  return children === undefined
    ? R.createElement(type, rest)
    : R.createElement(type, rest, children as never);
}

export function jsxs(type: never, props: Props, key?: string): unknown {
  const { children, ...rest } = props ?? {};
  if (key !== undefined) rest.key = key;
  return R.createElement(type, rest, ...((children as never[]) ?? []));
}
