import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { SalesInputError } from '../services/errors.js';
import { SCRIPT_SLUG, type ScriptDefinition } from './script-schema.js';
import { parseScript } from './validate-script.js';

/** A script as a file holds it: `id` (the slug) next to the definition's fields. */
export interface ScriptFile {
  id: string;
  definition: ScriptDefinition;
}

export type ScriptFileFormat = 'yaml' | 'json';

export function formatOf(fileName: string): ScriptFileFormat {
  return /\.json$/i.test(fileName) ? 'json' : 'yaml';
}

/** Reads a YAML or JSON script file (YAML is a superset of JSON); throws ScriptInvalidError with paths. */
export function parseScriptFile(text: string): ScriptFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new SalesInputError(
      'SCRIPT_FILE_UNREADABLE',
      `The file is not valid YAML or JSON: ${(error as Error).message}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SalesInputError('SCRIPT_FILE_UNREADABLE', 'The file must hold one script object');
  const { id, ...rest } = raw as Record<string, unknown>;
  if (typeof id !== 'string' || !SCRIPT_SLUG.test(id))
    throw new SalesInputError(
      'SCRIPT_FILE_UNREADABLE',
      'The script needs an "id": lowercase letters, digits and "-"',
    );
  return { id, definition: parseScript(rest) };
}

/**
 * The id on a YAML file's top-level `id:` line, read without parsing the file; undefined for JSON
 * or any other layout (then parse it). The plugin's start needs only this at every start but the
 * first, to see the file's script is imported already: parsing and validating two demo scripts
 * was the largest piece of CPU in the app's boot after its imports.
 */
export function scriptFileId(text: string): string | undefined {
  const id = /^id:[ \t]*(["']?)([a-z0-9-]+)\1[ \t]*(?:#.*)?\r?$/m.exec(text)?.[2];
  return id !== undefined && SCRIPT_SLUG.test(id) ? id : undefined;
}

export function serialiseScriptFile(file: ScriptFile, format: ScriptFileFormat): string {
  const body = { id: file.id, ...file.definition };
  return format === 'json' ? `${JSON.stringify(body, null, 2)}\n` : stringifyYaml(body, { lineWidth: 0 });
}
