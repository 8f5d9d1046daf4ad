/**
 * A plugin id: lowercase letters, digits and single dashes, starting with a letter. The one rule
 * for manifests, `botloom new-plugin` and the HTTP server (ids become URL segments, env prefixes
 * and migration names).
 */
export const PLUGIN_ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export const PLUGIN_ID_MAX_LENGTH = 40;
