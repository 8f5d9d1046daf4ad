import { BootError } from './botloom-error.js';

/**
 * Imports an optional peer dependency of core (the AWS SDK for S3, Sentry): installed only by
 * apps that use it, so everyone else's install stays small. When it is missing, the boot fails
 * with the command that installs it instead of a bare ERR_MODULE_NOT_FOUND.
 */
export async function importOptional<T>(
  load: () => Promise<T>,
  feature: string,
  packages: Record<string, string>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: string; message?: string };
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      Object.keys(packages).some((name) => message?.includes(`'${name}`));
    if (!missing) throw error;
    const install = Object.entries(packages)
      .map(([name, range]) => `${name}@"${range}"`)
      .join(' ');
    throw new BootError(
      'OPTIONAL_DEPENDENCY_MISSING',
      `${feature} needs ${Object.keys(packages).join(' and ')}, an optional dependency of @botloom/core: npm install ${install}`,
      { cause: error },
    );
  }
}
