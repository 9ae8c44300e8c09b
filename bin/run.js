#!/usr/bin/env node
// Entry point of the plugin: hands argv to oclif, which loads only the command that runs.
import module from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`kubectl berth needs Node.js 22 or newer; this is ${process.version}. Install Node 22 or set BERTH_NODE to its binary.\n`);
  process.exit(1);
}
// Node keeps compiled modules on disk between runs (in the OS temp dir): a plugin starts on every
// kubectl invocation, so compiling oclif and client-node afresh each time is wasted work. It must
// be on before those modules are imported, hence the dynamic import below.
module.enableCompileCache?.();
// `kubectl berth ls | head -1` closes our stdout early; that is a normal end, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
