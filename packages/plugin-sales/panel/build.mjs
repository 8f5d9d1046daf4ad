// Builds the sales panel's custom pages into dist/panel/ (shipped in the package): one ES module
// per page, React taken from the panel (see src/react-shim.ts), nothing else external.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const shim = here('./src/react-shim.ts');

/** The page modules, by output name (admin-pages.ts points at them). */
export const PANEL_PAGES = {
  scripts: './src/scripts-page.tsx',
  conversations: './src/conversations-page.tsx',
};

export async function buildPanel() {
  await build({
    entryPoints: Object.fromEntries(Object.entries(PANEL_PAGES).map(([name, file]) => [name, here(file)])),
    outdir: here('../dist/panel'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [
      {
        name: 'host-react',
        setup(b) {
          b.onResolve({ filter: /^react(\/jsx-runtime|\/jsx-dev-runtime)?$/ }, () => ({ path: shim }));
        },
      },
    ],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildPanel();
