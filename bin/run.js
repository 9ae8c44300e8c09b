#!/usr/bin/env node
// Entry point of the plugin: hands argv to oclif, which loads only the command that runs.
import { readFileSync } from 'node:fs';
import module from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`kubectl berth needs Node.js 22 or newer; this is ${process.version}. Install Node 22 or set BERTH_NODE to its binary.\n`);
  process.exit(1);
}
// `kubectl berth ls | head -1` closes our stdout early; that is a normal end, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// The root help is rendered at build time (src/help/prerender.ts): answering it costs Node's start
// instead of oclif's. Any other argv, or a missing file, goes to oclif as usual.
const argv = process.argv.slice(2);
if ((argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'))) && !process.env.BERTH_NO_PRERENDERED_HELP) {
  // The same rule as src/output/color.ts: NO_COLOR wins, FORCE_COLOR turns colour on or off.
  const env = process.env;
  const forced = env.FORCE_COLOR === undefined || env.FORCE_COLOR === '' ? undefined : env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const colour = !env.NO_COLOR && (forced ?? (process.stdout.isTTY && env.TERM !== 'dumb'));
  try {
    const text = readFileSync(new URL(`../dist/help/root${colour ? '.ansi' : ''}.txt`, import.meta.url), 'utf8');
    process.stdout.write(text.replace('{{runtime}}', `${process.platform}-${process.arch} node-${process.version}`));
    process.exit(0);
  } catch {
    // not built by `npm run build`: let oclif render it
  }
}

// Node keeps compiled modules on disk between runs (in the OS temp dir): a plugin starts on every
// kubectl invocation, so compiling oclif and client-node afresh each time is wasted work. It must
// be on before those modules are imported, hence the dynamic import below.
module.enableCompileCache?.();
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
