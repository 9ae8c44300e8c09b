// The flags ssh and scp share, declared once.
import { Flags } from '@oclif/core';

export const sshFlags = {
  'identity-file': Flags.string({ char: 'i', description: 'Private key to use (passed to ssh as -i only when given).' }),
  username: Flags.string({ char: 'l', description: 'User to log in as (default: the user in [user@]NAME, else ssh\'s default).' }),
  port: Flags.integer({ char: 'p', description: "The guest's SSH port.", default: 22, min: 1, max: 65535 }),
  option: Flags.string({ char: 'o', description: 'An ssh option, KEY=VALUE, passed as -o (repeatable).', multiple: true, multipleNonGreedy: true }),
  'ssh-opt': Flags.string({ description: 'A raw argument for ssh/scp, e.g. --ssh-opt=-v (repeatable).', multiple: true, multipleNonGreedy: true }),
};

/** Splits argv at the first '--': what follows is the remote command, untouched by flag parsing. */
export function splitAtDashDash(argv: readonly string[]): { own: string[]; rest: string[] } {
  const at = argv.indexOf('--');
  return at < 0 ? { own: [...argv], rest: [] } : { own: argv.slice(0, at), rest: argv.slice(at + 1) };
}
