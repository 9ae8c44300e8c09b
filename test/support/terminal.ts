// A command under a real pseudo-terminal (util-linux script(1)): what must behave differently on a
// terminal (raw mode, the escape key, the terminal restored afterwards) is tested where it happens.
import { execa, type ResultPromise } from 'execa';
import { shellQuote } from '../../src/access/shell-quote.js';

export interface OnTerminal {
  proc: ResultPromise;
  /** Everything the terminal showed so far. */
  screen(): string;
  /** Types on the terminal (a raw terminal sends Enter as '\r'). */
  type(input: string | Buffer): void;
}

/**
 * Runs `argv` on a fresh pseudo-terminal, then `stty -a` on the same terminal, so that the screen
 * ends with the settings the command left behind (canonical mode and echo back, or not). The
 * process exits with the command's status.
 */
export function onTerminal(argv: readonly string[], env: NodeJS.ProcessEnv): OnTerminal {
  // script(1) exits with the shell's status: the command's own, not stty's.
  const inner = `${argv.map(shellQuote).join(' ')}; status=$?; stty -a; exit $status`;
  const proc = execa('script', ['-qec', inner, '/dev/null'], { reject: false, stdin: 'pipe', buffer: false, env });
  let screen = '';
  proc.stdout!.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
  return { proc, screen: () => screen, type: (input) => proc.stdin!.write(input) };
}

/** The `stty -a` settings at the end of the screen: raw mode left on shows as -icanon or -echo. */
export const STTY_SETTINGS = /speed[^]*\bicanon\b[^]*\n/;
