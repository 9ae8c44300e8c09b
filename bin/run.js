#!/usr/bin/env node
// Entry point of the plugin: hands argv to oclif, from the bundle `npm run build` writes to
// dist/plugin/ (src/build/bundle.ts): one module holds oclif and every command.
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

// The root help and every command's help are rendered at build time (src/help/prerender.ts):
// answering `kubectl berth [COMMAND] --help|-h` or `kubectl berth help [COMMAND]` costs Node's start
// instead of loading the bundle. Any other argv, or a missing file (say, a word that is not a
// command), goes to oclif as usual.
const argv = process.argv.slice(2);
const isHelpFlag = (arg) => arg === '--help' || arg === '-h';
const words = argv.length === 0 ? [] : isHelpFlag(argv.at(-1)) ? argv.slice(0, -1) : argv[0] === 'help' ? argv.slice(1) : undefined;
if (words && words.every((w) => /^[a-z][a-z0-9-]*$/.test(w)) && !process.env.BERTH_NO_PRERENDERED_HELP) {
  // The same rule as src/output/color.ts: NO_COLOR wins, FORCE_COLOR turns colour on or off.
  const env = process.env;
  const forced = env.FORCE_COLOR === undefined || env.FORCE_COLOR === '' ? undefined : env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const colour = !env.NO_COLOR && (forced ?? (process.stdout.isTTY && env.TERM !== 'dumb'));
  const file = `${words.length === 0 ? 'root' : `commands/${words.join(':')}`}${colour ? '.ansi.txt' : '.txt'}`;
  try {
    const text = readFileSync(new URL(`../dist/help/${file}`, import.meta.url), 'utf8');
    process.stdout.write(text.replace('{{runtime}}', `${process.platform}-${process.arch} node-${process.version}`));
    process.exit(0);
  } catch {
    // not built by `npm run build`, or not a command: let oclif answer
  }
}

// Node keeps compiled modules on disk between runs (in the OS temp dir): a plugin starts on every
// kubectl invocation, so compiling the bundle afresh each time is wasted work. It must be on before
// the bundle is imported, hence the dynamic import below.
module.enableCompileCache?.();
let plugin;
try {
  plugin = await import('../dist/plugin/berth.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/plugin/berth.js')) throw error;
  process.stderr.write('kubectl berth is not built: run npm run build in its directory.\n');
  process.exit(1);
}
// oclif finds the commands, the help class and the hooks in the same module (package.json's oclif section).
await plugin.execute({ dir: import.meta.url });
