// Long-running children (QEMU). They must never outlive the launcher: each is started
// under `setpriv --pdeathsig KILL`, so the kernel kills it even when the launcher itself is killed.
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { execa } from 'execa';

const SETPRIV = '/usr/bin/setpriv';

export interface ChildOptions {
  stdin: 'inherit' | 'ignore';
  stdout: 'inherit' | 'ignore';
}

export interface Child {
  pid: number | undefined;
  /** The exit status once the child has exited (128+n when killed by signal n). */
  exit: Promise<number>;
  exited(): boolean;
  kill(signal: NodeJS.Signals): void;
}

export function startChild(file: string, args: string[], options: ChildOptions): Child {
  const [binary, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', file, ...args]] : [file, args];
  const subprocess = execa(binary, argv, {
    reject: false,
    stdin: options.stdin,
    stdout: options.stdout,
    stderr: 'inherit',
    // the launcher decides when children stop (e.g. QEMU only after the guest powered down)
    cleanup: false,
    buffer: false,
  });
  let done = false;
  const exit = subprocess.then((result) => {
    done = true;
    if (result.exitCode !== undefined) return result.exitCode;
    const signal = result.signal ? constants.signals[result.signal] : undefined;
    return signal ? 128 + signal : 1;
  });
  return {
    pid: subprocess.pid,
    exit,
    exited: () => done,
    kill: (signal) => {
      if (!done) subprocess.kill(signal);
    },
  };
}

export async function stopChild(child: Child, graceMs: number): Promise<void> {
  if (child.exited()) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exit;
  clearTimeout(timer);
}
