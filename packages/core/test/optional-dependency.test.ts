import { describe, expect, it } from 'vitest';
import { BootError } from '../src/errors/botloom-error.js';
import { importOptional } from '../src/errors/optional-dependency.js';

// S3 and Sentry are optional peer dependencies: a missing one must fail the boot with the
// command that installs it, and any other import failure must stay what it is.
describe('importOptional', () => {
  it('names the install command when the optional package is not installed', async () => {
    const missing = 'botloom-optional-dependency-that-does-not-exist';
    const error = await importOptional(() => import(missing), 'S3 file storage (S3_ENDPOINT)', {
      [missing]: '^1.0.0',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BootError);
    expect((error as BootError).code).toBe('OPTIONAL_DEPENDENCY_MISSING');
    expect((error as Error).message).toBe(
      `S3 file storage (S3_ENDPOINT) needs ${missing}, an optional dependency of @botloom/core: npm install ${missing}@"^1.0.0"`,
    );
  });

  it('returns the module when it is installed', async () => {
    const semver = await importOptional(() => import('semver'), 'a feature', { semver: '^7.0.0' });
    expect(semver.default.valid('1.2.3')).toBe('1.2.3');
  });

  it('passes other failures through unchanged', async () => {
    const failure = new Error('the module threw at import');
    await expect(
      importOptional(() => Promise.reject(failure), 'a feature', { semver: '^7.0.0' }),
    ).rejects.toBe(failure);
  });
});
