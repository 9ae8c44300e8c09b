// oclif's `finally` hook runs before an error is printed, which lets us finish two things oclif
// leaves undone for command-line mistakes: an unknown flag gets "did you mean --namespace?", and
// every parse error (a bad -o value included, which oclif exits 1 for) exits 2, like a usage error.
import type { Hook } from '@oclif/core';
import { ExitCode } from '../errors.js';
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

/** Whether `error` is one of oclif's command-line parse errors (they all extend CLIParseError). */
export function isParseError(error: object): boolean {
  for (let proto = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'CLIParseError') return true;
  }
  return false;
}

type ParseError = Error & {
  flags?: unknown;
  parse?: { input?: { flags?: Record<string, FlagDefinition> } };
  suggestions?: string[];
  oclif?: { exit?: number };
};

const hook: Hook<'finally'> = async function ({ error }) {
  const e = error as ParseError | undefined;
  if (!e || typeof e !== 'object' || !isParseError(e)) return;
  e.oclif = { ...e.oclif, exit: ExitCode.usage };
  if (e.constructor?.name !== 'NonExistentFlagsError' || !Array.isArray(e.flags)) return;
  const suggestions = flagSuggestions(e.flags as string[], e.parse?.input?.flags ?? {});
  if (suggestions.length > 0) e.suggestions = [...suggestions, ...(e.suggestions ?? [])];
};

export default hook;
