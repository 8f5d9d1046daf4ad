/** Placeholder until the plugin lands; the manifest is exported from here. */
export const PLUGIN_ID = 'commentator';
