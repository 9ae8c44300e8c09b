// Running the tools the launcher and the agent drive (qemu-img, ip, iptables, …): argv arrays only,
// and a failure becomes a BerthError that names the command and carries the tool's own message.
import { execa } from 'execa';
import { BerthError } from '../../shared/errors.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type Run = (file: string, args: string[]) => Promise<RunResult>;

/** Runs a command to completion; never throws for a non-zero exit (see `mustRun`). */
export const run: Run = async (file, args) => {
  const result = await execa(file, args, { reject: false, stdin: 'ignore', stripFinalNewline: true });
  if (result.failed && result.exitCode === undefined) {
    const missing = (result as { code?: string }).code === 'ENOENT';
    throw new BerthError('TOOL_MISSING', missing ? `${file} is not installed in this container` : `${file} could not run: ${result.shortMessage}`, {
      hint: 'VM pods and the agent must run the kubectl-berth image, which ships QEMU, iptables and iproute2.',
    });
  }
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? 1 };
};

export async function mustRun(runner: Run, file: string, args: string[], what: string, code: 'LAUNCHER' | 'AGENT' = 'LAUNCHER'): Promise<RunResult> {
  const result = await runner(file, args);
  if (result.exitCode !== 0) {
    throw new BerthError(code, `${what} failed: ${file} ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  }
  return result;
}
