// oclif rejects an unknown flag with "Nonexistent flag: --namspace" and exit 2 but offers no
// guess. This `finally` hook runs before the error is printed and adds "Did you mean --namespace?".
import type { Hook } from '@oclif/core';
import { closest } from './suggest.js';

interface FlagDefinition {
  char?: string;
  allowNo?: boolean;
  type?: string;
}

/** Pure: suggestions for each unknown flag, given the command's flag definitions. */
export function flagSuggestions(unknown: string[], flags: Record<string, FlagDefinition>): string[] {
  const long: string[] = [];
  for (const [name, f] of Object.entries(flags)) {
    long.push(`--${name}`);
    if (f.allowNo) long.push(`--no-${name}`);
  }
  const out: string[] = [];
  for (const raw of unknown) {
    const typed = raw.split('=', 1)[0];
    const guesses = typed.startsWith('--') ? closest(typed, long) : closest(`-${typed.replace(/^-+/, '')}`, long);
    if (guesses.length > 0) out.push(`${typed}: did you mean ${guesses.join(' or ')}?`);
  }
  return out;
}

const hook: Hook<'finally'> = async function ({ error }) {
  const e = error as (Error & { flags?: unknown; parse?: { input?: { flags?: Record<string, FlagDefinition> } }; suggestions?: string[] }) | undefined;
  if (!e || e.constructor?.name !== 'NonExistentFlagsError' || !Array.isArray(e.flags)) return;
  const suggestions = flagSuggestions(e.flags as string[], e.parse?.input?.flags ?? {});
  if (suggestions.length > 0) e.suggestions = [...suggestions, ...(e.suggestions ?? [])];
};

export default hook;
