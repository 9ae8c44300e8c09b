// Lets a test see which packages a real `kubectl berth` process imported, without any hook in the
// product: run it with NODE_OPTIONS=--import=<this file> and BERTH_TEST_IMPORT_TRACE=<a file>, and
// every bare package specifier the process resolves is appended to that file, one a line.
import { appendFileSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

/** The path of this module once compiled, for NODE_OPTIONS. */
export const importTraceModule = fileURLToPath(import.meta.url);

const trace = process.env.BERTH_TEST_IMPORT_TRACE;
if (trace) {
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      if (!/^(node:|\.|\/|file:|data:)/.test(specifier)) appendFileSync(trace, `${specifier}\n`);
      return nextResolve(specifier, context);
    },
  });
}
