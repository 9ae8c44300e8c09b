// Runs the built plugin (bin/kubectl-berth) against the local cluster, returning its exit code and
// both streams, so tests check what a user would see.
import { spawnSync } from 'node:child_process';
import { pluginBin as PLUGIN_BIN } from '../../../support/repo.js';
import { KUBECONFIG } from './cluster.js';

export { PLUGIN_BIN };

export interface PluginRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `env` adds to (or overrides) this process's environment. */
export function runPlugin(args: string[], env: Record<string, string> = {}): PluginRun {
  const r = spawnSync(PLUGIN_BIN, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the plugin and returns stdout; fails with its stderr when it exits non-zero. */
export function kubectlPlugin(args: string[]): string {
  const r = runPlugin(args);
  if (r.status !== 0) throw new Error(`kubectl berth ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
