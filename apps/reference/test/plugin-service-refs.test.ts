/**
 * Every service a plugin README lists under "Services for other plugins" is exported by the
 * package and resolves, typed and started, in another plugin that depends on it: the README
 * table is the list, so a ref missing from the package (or never exposed) fails here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { definePlugin, type ServiceRef } from '@botloom/core';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import * as memory from '@botloom/plugin-memory';
import * as segmentation from '@botloom/plugin-segmentation';
import * as support from '@botloom/plugin-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packages = {
  memory: { module: memory as Record<string, unknown>, readme: '../../../packages/plugin-memory/README.md' },
  support: {
    module: support as Record<string, unknown>,
    readme: '../../../packages/plugin-support/README.md',
  },
  segmentation: {
    module: segmentation as Record<string, unknown>,
    readme: '../../../packages/plugin-segmentation/README.md',
  },
};

/** The refs in the first column of the README's "Services for other plugins" table. */
function listedRefs(readme: string): string[] {
  const text = readFileSync(fileURLToPath(new URL(readme, import.meta.url)), 'utf8');
  const section = text.split(/^## Services for other plugins$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!);
}

const listed = Object.entries(packages).flatMap(([owner, p]) =>
  listedRefs(p.readme).map((name) => ({
    owner,
    name,
    ref: p.module[name] as ServiceRef<unknown> | undefined,
  })),
);

describe('services listed in the plugin READMEs', () => {
  let app: TestApp;
  let resolved: Record<string, unknown>;

  beforeAll(async () => {
    const deps = Object.fromEntries(listed.filter((l) => l.ref).map((l) => [l.name, l.ref!]));
    const consumer = definePlugin({
      id: 'consumer',
      version: '1.0.0',
      core: '^0.1.0',
      dependsOn: Object.keys(packages),
      services: { deps, init: ({ deps }) => ({ ...deps }) },
    });
    app = await startTestApp({
      plugins: [
        consumer,
        support.default(),
        memory.default({ outsideSession: 'ignore' }),
        segmentation.default(),
      ],
    });
    resolved = app.app.services<Record<string, unknown>>('consumer');
  });
  afterAll(() => app?.stop());

  it('each README lists at least one ref, and each package exports it', () => {
    for (const owner of Object.keys(packages))
      expect(
        listed.some((l) => l.owner === owner),
        owner,
      ).toBe(true);
    expect(listed.filter((l) => !l.ref || typeof l.ref.token !== 'symbol').map((l) => l.name)).toEqual([]);
  });

  it('each listed ref resolves in another plugin to the owner’s service', () => {
    for (const { owner, name, ref } of listed) {
      expect(ref!.owner, name).toBe(owner);
      expect(resolved[name], name).toBeDefined();
    }
    expect(resolved.supportDeskRef).toBeInstanceOf(Object);
    expect(typeof (resolved.supportDeskRef as support.SupportDesk).history).toBe('function');
    expect(typeof (resolved.memoryServicesRef as memory.MemoryServices).profiles.getOrDefault).toBe(
      'function',
    );
    expect(
      typeof (resolved.segmentationServicesRef as segmentation.SegmentationServices).queries.segments,
    ).toBe('function');
  });
});
