// `--wait` and `--timeout`, shared by create, start, stop and restart: the same words, the same
// default, the same parsing everywhere.
import { Flags, type Interfaces } from '@oclif/core';
import { BerthError } from '../../shared/errors.js';
import { VM_DEFAULTS } from '../core/defaults.js';
import { parseDuration } from '../../shared/duration.js';

export function waitFlags(waitSummary: string) {
  return {
    wait: Flags.boolean({ summary: waitSummary }),
    timeout: Flags.string({ summary: `How long --wait waits, e.g. 90s or 10m (default ${VM_DEFAULTS.waitTimeout}).`, dependsOn: ['wait'] }),
  };
}

/** --wait and --timeout as oclif parses them. */
export type WaitFlagValues = Interfaces.InferredFlags<ReturnType<typeof waitFlags>>;

/** --timeout in milliseconds; a usage error (exit 2) when it is not a duration. */
export function waitTimeoutMs(raw: string | undefined): number {
  const parsed = parseDuration(raw ?? VM_DEFAULTS.waitTimeout);
  if (!parsed.ok) throw new BerthError('INVALID_VALUE', `--timeout: ${parsed.problem}`);
  return parsed.ms;
}
