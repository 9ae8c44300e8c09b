// Runs the built node agent (dist/agent/node/main.js) as a real process, the way the DaemonSet
// runs it, with its options pointed at test resources; keeps its log for failure messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { clusterKubeconfig } from './cluster.js';
import { agentMain } from './repo.js';

export class AgentProcess {
  private child?: ChildProcess;
  log = '';

  constructor(private readonly args: string[], private readonly env: Record<string, string> = {}) {}

  start(): void {
    this.child = spawn(process.execPath, [agentMain, ...this.args], {
      env: { ...process.env, KUBECONFIG: clusterKubeconfig(), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (d: Buffer) => {
      this.log += d.toString();
      if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
    };
    this.child.stdout!.on('data', append);
    this.child.stderr!.on('data', append);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends the signal and waits for the exit; resolves with the exit code or signal. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? child?.signalCode ?? 'not started';
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? '?')));
    child.kill(signal);
    return exited;
  }

  tail(lines = 30): string {
    return this.log.trim().split('\n').slice(-lines).join('\n');
  }
}
