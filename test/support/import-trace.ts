// Lets a test see which packages a real `kubectl berth` process loaded, without any hook in the
// product: run it with NODE_OPTIONS=--import=<this file> and BERTH_TEST_IMPORT_TRACE=<a file>, and
// every bare package specifier the process resolves is appended to that file, one a line, and so is
// every file of the bundle (dist/plugin/) it loads, as `dist/plugin/<file>`. loadedPackages() turns
// the bundle's files into the packages they hold (dist/plugin/packages.json, written by the build).
import { appendFileSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The path of this module once compiled, for NODE_OPTIONS. */
export const importTraceModule = fileURLToPath(import.meta.url);

const BUNDLE = /\/dist\/plugin\/([^/]+\.js)$/;

/** The packages a traced process loaded: bare specifiers, and the packages inside bundle files. */
export function loadedPackages(traceFile: string, root: string): Set<string> {
  const lines = readFileSync(traceFile, 'utf8').split('\n').filter(Boolean);
  const bundled = lines.some((l) => l.startsWith('dist/plugin/'))
    ? (JSON.parse(readFileSync(join(root, 'dist', 'plugin', 'packages.json'), 'utf8')) as { files: Record<string, string[]> }).files
    : {};
  const packages = new Set<string>();
  for (const line of lines) {
    if (line.startsWith('dist/plugin/')) for (const name of bundled[line.slice('dist/plugin/'.length)] ?? []) packages.add(name);
    else packages.add(line.startsWith('@') ? line.split('/').slice(0, 2).join('/') : line.split('/')[0]!);
  }
  return packages;
}

const trace = process.env.BERTH_TEST_IMPORT_TRACE;
if (trace) {
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      if (!/^(node:|\.|\/|file:|data:)/.test(specifier)) appendFileSync(trace, `${specifier}\n`);
      const resolved = nextResolve(specifier, context);
      const file = BUNDLE.exec(resolved.url)?.[1];
      if (file) appendFileSync(trace, `dist/plugin/${file}\n`);
      return resolved;
    },
  });
}
