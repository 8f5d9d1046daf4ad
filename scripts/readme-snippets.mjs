// Code blocks of a README marked for the integrator check:
//
//   <!-- integrator-check: file=src/main.ts -->
//   ```ts
//   ...
//   ```
//
// `file=PATH` writes the block to PATH in the check's app; `package.json#KEY` merges the block
// (JSON) into the app's package.json under KEY. The block must follow the marker directly.
import { readFileSync } from 'node:fs';

const MARKED_BLOCK = /<!-- integrator-check: (\S+) -->\s*\n```[\w-]*\n([\s\S]*?)\n```/g;
const MARKER = /<!-- integrator-check:/g;

/** @returns {{ target: string, code: string, readme: string }[]} */
export function markedSnippets(readmePath) {
  const text = readFileSync(readmePath, 'utf8');
  const snippets = [...text.matchAll(MARKED_BLOCK)].map((m) => ({
    target: m[1],
    code: `${m[2]}\n`,
    readme: readmePath,
  }));
  const markers = text.match(MARKER)?.length ?? 0;
  if (markers !== snippets.length) {
    throw new Error(
      `${readmePath}: ${markers} integrator-check markers but ${snippets.length} code blocks right after one`,
    );
  }
  return snippets;
}
