// The output flags every listing command shares, so -o and --no-headers read and behave the same
// everywhere. What each -o value prints is decided in one place, src/output/print.ts.
import { Flags } from '@oclif/core';
import { OUTPUT_FORMATS } from '../output/format.js';

/**
 * `-o/--output` limited to the given formats (e.g. ['json', 'yaml'] for a single object);
 * `byDefault` says what the command prints without -o.
 */
export function outputFlagFor(formats: readonly string[], byDefault = 'a table') {
  return Flags.string({
    char: 'o',
    summary: `Output format: ${formats.join('|')} (default: ${byDefault}).`,
    description: 'json and yaml print the full objects for scripts; name prints one name a line; wide adds columns.',
    options: [...formats],
    helpValue: formats.join('|'),
    helpGroup: 'OUTPUT',
  });
}

/** `-o/--output json|yaml|name|wide`, as kubectl get has it. */
export const outputFlag = outputFlagFor(OUTPUT_FORMATS);

/** `--no-headers`: tables without their header row, for scripts (`-o` other than wide ignores it). */
export const noHeadersFlag = Flags.boolean({
  summary: 'Print tables without the header row.',
  helpGroup: 'OUTPUT',
});

/**
 * `-o name` for commands that change objects (stop, start, restart, purge, images add|rm): only
 * the names, one a line, as `kubectl scale|delete -o name` prints them, for scripts.
 */
export const changedOutputFlag = Flags.string({
  char: 'o',
  summary: 'Output format: name (default: KIND/NAME and what was done).',
  description: 'name prints only KIND/NAME, one a line, for scripts.',
  options: ['name'],
  helpValue: 'name',
  helpGroup: 'OUTPUT',
});
