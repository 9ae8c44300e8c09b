// oclif's `finally` hook runs before an error is printed, which lets us finish two things oclif
// leaves undone for command-line mistakes: an unknown flag gets "did you mean --namespace?", and
// every parse error (a bad -o value included, which oclif exits 1 for) exits 2, like a usage error.
import type { Hook } from '@oclif/core';
import { ExitCode } from '../../shared/errors.js';
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

/**
 * Pure: when a command that has subcommands got an argument it did not expect, the first word
 * may be a mistyped subcommand ("vnc prot-forward web").
 */
export function subcommandSuggestion(commandId: string, argv: string[], commandIds: string[], bin: string): string | undefined {
  const first = argv.find((a) => !a.startsWith('-'));
  if (!first) return undefined;
  const depth = commandId.split(':').length;
  const children = commandIds.filter((id) => id.startsWith(`${commandId}:`) && id.split(':').length === depth + 1).map((id) => id.split(':')[depth]);
  const guess = closest(first, children)[0];
  return guess ? `${first}: did you mean '${[bin, ...commandId.split(':'), guess].join(' ')}'?` : undefined;
}

const hook: Hook<'finally'> = async function ({ error, Command, argv, config }) {
  const e = error as ParseError | undefined;
  if (!e || typeof e !== 'object' || !isParseError(e)) return;
  e.oclif = { ...e.oclif, exit: ExitCode.usage };
  const suggestions: string[] = [];
  if (e.constructor?.name === 'NonExistentFlagsError' && Array.isArray(e.flags)) {
    suggestions.push(...flagSuggestions(e.flags as string[], e.parse?.input?.flags ?? {}));
  }
  if (e.constructor?.name === 'UnexpectedArgsError' && Command?.id) {
    const guess = subcommandSuggestion(Command.id, argv ?? [], config.commandIDs, config.bin);
    if (guess) suggestions.push(guess);
  }
  if (suggestions.length > 0) e.suggestions = [...suggestions, ...(e.suggestions ?? [])];
};

export default hook;
