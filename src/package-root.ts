// Where the installed plugin lives: the directory of its package.json. Modules find bin/, manifests/
// and the build's outputs from here rather than by counting '..' from their own file, because the
// same module runs from dist/src/<folder>/ (tsc's output, which the tests import) and from
// dist/plugin/ (the bundle that bin/run.js loads), at different depths.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory above `from` (a module URL or path) that holds package.json. */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(from.startsWith('file:') ? fileURLToPath(from) : from);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
