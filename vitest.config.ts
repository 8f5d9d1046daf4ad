import { defineConfig } from 'vitest/config';

// One config for the whole monorepo. Workspace packages resolve to their TypeScript sources
// through the "botloom-source" export condition, so tests never need a build first.
export default defineConfig({
  resolve: { conditions: ['botloom-source'] },
  ssr: { resolve: { conditions: ['botloom-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    globalSetup: ['packages/core/src/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
