/** The zod range core reads plugin config schemas with (also the peerDependency range). */
export const SUPPORTED_ZOD_RANGE = '^3.25.0';

/**
 * Why `value` is not a zod schema core can read. zod 4 schemas (`npm i zod` today, or
 * `zod/v4`) carry `_zod` and no `_def.typeName`: name the version mismatch instead of a
 * generic "must be a zod schema".
 */
export function notZodSchemaMessage(value: unknown): string {
  if (typeof value === 'object' && value !== null && '_zod' in value) {
    const version = (value as { _zod?: { version?: { major?: number } } })._zod?.version?.major ?? 4;
    return (
      `is a zod ${version} schema, but Botloom reads config schemas with zod ${SUPPORTED_ZOD_RANGE}: ` +
      `install zod@3 in the app (npm i zod@${SUPPORTED_ZOD_RANGE}) so the plugin imports the same zod as core`
    );
  }
  return 'must be a zod schema';
}
