// What the bundle dist/plugin/berth.js exports to oclif. package.json's oclif section names each of
// these by identifier (explicit command discovery, helpClass, hooks), so oclif finds every part of
// the plugin in the one module bin/run.js has already loaded, instead of resolving and importing a
// file per command on each start. The `commands` map is added at bundle time from the files in
// src/commands (src/build/bundle.ts), so a new command needs no line here.
export { execute } from '@oclif/core';
export { default as BerthHelp } from './help/berth-help.js';
export { default as commandNotFound } from './help/command-not-found.js';
export { default as usageErrors } from './help/usage-errors.js';
