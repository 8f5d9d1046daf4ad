// Types of ensure-built.mjs for the TypeScript benches that check whether dist is current.
export function staleParts(): {
  /** Absolute folders of the TypeScript projects whose dist is older than their sources. */
  stale: string[];
  panel: boolean;
  pluginPanels: string[];
  names: string[];
};
export function ensureBuilt(): void;
