// The code that runs on nodes and in VM pods (agent/) depends on nothing of the plugin (src/): what
// the three sides share is the contract in shared/, which in turn depends on neither. Read from the
// TypeScript sources, so a new import across the line fails here before it ships in the image.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repo as ROOT } from '../../support/repo.js';


function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(dir, name));
}

/** Every module specifier of a file: static imports and re-exports, and dynamic import(). */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
    found.push(m[1] ?? m[2] ?? m[3]);
  }
  return found;
}

/** The imports of files under `dir` that resolve into one of `forbidden` (top-level folders). */
function crossings(dir: string, forbidden: string[]): string[] {
  const out: string[] = [];
  for (const file of sources(dir)) {
    for (const spec of specifiers(readFileSync(join(ROOT, file), 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
      if (forbidden.some((top) => target === top || target.startsWith(`${top}/`))) out.push(`${file} imports ${spec}`);
    }
  }
  return out;
}

describe('module boundaries: agent/ and shared/', () => {
  it('finds the import forms it checks (so the checks below can fail)', () => {
    const text = [
      "import { a } from '../../src/x.js';",
      "import type { B } from '../src/y.js';",
      "export { c } from './z.js';",
      "const d = await import('../../src/w.js');",
      "import './side-effect.js';",
      "import {\n  e,\n  f,\n} from '../src/multi.js';",
    ].join('\n');
    assert.deepEqual(specifiers(text), ['../../src/x.js', '../src/y.js', './z.js', '../../src/w.js', './side-effect.js', '../src/multi.js']);
    assert.ok(sources('agent').length > 40, 'the agent sources are found');
  });

  it('agent/ imports nothing from src/ (only shared/ and its own files)', () => {
    assert.deepEqual(crossings('agent', ['src', 'test']), []);
  });

  it('shared/ imports neither src/ nor agent/', () => {
    assert.deepEqual(crossings('shared', ['src', 'agent', 'test']), []);
  });
});
