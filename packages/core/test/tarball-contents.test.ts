import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_ZOD_RANGE } from '../src/plugin/zod-version.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** What each published package may ship; anything else in the tarball fails the test. */
const common: RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^locales\/[a-z]{2}\.ftl$/,
  /^dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)$/,
  /^src\/.+(?<!\.test)\.ts$/,
];
const packages: Record<string, RegExp[]> = {
  core: [
    ...common,
    /^bin\/botloom\.js$/,
    /^assets\/playground\/[\w.-]+\.(html|css|js|svg)$/,
    // The admin panel, prebuilt: its page, hashed bundles and the bundled font.
    /^dist\/admin-ui\/index\.html$/,
    /^dist\/admin-ui\/assets\/[\w.-]+\.(js|css|woff2?)$/,
  ],
  'plugin-commentator': common,
  'plugin-instagram': [...common, /^public\/[\w.-]+\.(html|css|js)$/],
  'plugin-memory': common,
  // The demo scripts (an online course), read by DEMO_SCRIPT_FILES.
  'plugin-sales': [...common, /^scripts\/[\w.-]+\.ya?ml$/],
  'plugin-segmentation': common,
  'plugin-support': [...common, /^public\/[\w./-]+\.(html|css|js)$/],
};

/** Files a built package must ship besides its export targets (prebuilt custom panel pages). */
const requiredWhenBuilt: Record<string, string[]> = {
  'plugin-sales': ['dist/panel/scripts.js', 'dist/panel/conversations.js'],
};

interface Manifest {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
}

const packs = new Map<string, Promise<string[]>>();
/** `npm pack --dry-run` once per package: it is the slow part. */
function packedFiles(dir: string): Promise<string[]> {
  if (!packs.has(dir)) packs.set(dir, pack(dir));
  return packs.get(dir)!;
}

async function pack(dir: string): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  return packed!.files.map((f) => f.path);
}

/** Every file an `exports` entry points at, by condition. */
function exportTargets(manifest: Manifest): Array<{ condition: string; file: string }> {
  const out: Array<{ condition: string; file: string }> = [];
  for (const entry of Object.values(manifest.exports)) {
    if (typeof entry === 'string') out.push({ condition: 'default', file: entry });
    else for (const [condition, file] of Object.entries(entry)) out.push({ condition, file });
  }
  return out.map((t) => ({ ...t, file: path.posix.normalize(t.file) }));
}

describe.each(Object.keys(packages))('published tarball of packages/%s', (name) => {
  const dir = path.join(repoRoot, 'packages', name);
  const built = existsSync(path.join(dir, 'dist', 'index.js'));
  if (!built) {
    console.warn(
      `tarball-contents: packages/${name}/dist is absent, dist checks skipped (run \`npm run build\`)`,
    );
  }

  it('ships only allowlisted files, with LICENSE and without .tsbuildinfo', async () => {
    const files = await packedFiles(dir);
    const unexpected = files.filter((f) => !packages[name]!.some((re) => re.test(f)));
    expect(unexpected).toEqual([]);
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files.filter((f) => f.includes('tsbuildinfo'))).toEqual([]);
    expect(readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toBe(
      readFileSync(path.join(repoRoot, 'LICENSE'), 'utf8'),
    );
  });

  it('declares zod as a peer dependency with the range core supports, never as its own copy', () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
    expect(manifest.peerDependencies?.zod).toBe(SUPPORTED_ZOD_RANGE);
    expect(manifest.dependencies?.zod).toBeUndefined();
  });

  it('ships the file behind every botloom-source export condition', async () => {
    const files = new Set(await packedFiles(dir));
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
    const source = exportTargets(manifest).filter((t) => t.condition === 'botloom-source');
    expect(source.length).toBeGreaterThan(0);
    expect(source.filter((t) => !files.has(t.file))).toEqual([]);
  });

  it.skipIf(!built)('ships every built export target, and source maps name only shipped files', async () => {
    const files = await packedFiles(dir);
    const shipped = new Set(files);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
    const missing = exportTargets(manifest).filter((t) => !shipped.has(t.file));
    expect(missing).toEqual([]);
    expect((requiredWhenBuilt[name] ?? []).filter((f) => !shipped.has(f))).toEqual([]);

    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const dangling: string[] = [];
    for (const map of maps) {
      const { sources, sourceRoot } = JSON.parse(readFileSync(path.join(dir, map), 'utf8')) as {
        sources: string[];
        sourceRoot?: string;
      };
      for (const s of sources) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(map), sourceRoot ?? '', s));
        if (!shipped.has(target)) dangling.push(`${map} -> ${target}`);
      }
    }
    expect(dangling).toEqual([]);
  });
});
