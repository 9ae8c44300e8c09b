// The plugin as a user runs it: the real bin/kubectl-berth as a process against the local cluster,
// with no terminal, as a script would. Every test that runs the plugin comes through here, so the
// environment it gets is the same everywhere; a test adds what it is about (HOME, PATH, a cache).
import { execa } from 'execa';
import { collectOutput } from './child-output.js';
import { clusterKubeconfig } from './cluster.js';
import { pluginBin, repo } from './repo.js';

export interface Run {
  exitCode: number;
  stdout: string;
  /** As printed; oclif wraps long error lines. */
  stderr: string;
  /** stderr with line wrapping undone, for matching messages. */
  message: string;
}

export interface BerthOptions {
  /** Written to stdin; without it stdin is empty. */
  input?: string;
  /** Added to (or overriding) the environment below. */
  env?: Record<string, string>;
  /** Default 2 minutes. */
  timeoutMs?: number;
}

/**
 * This process's environment pointed at the local cluster, without colour (NO_COLOR set, FORCE_COLOR
 * dropped), with node_modules/.bin on PATH (the Node 22 that bin/kubectl-berth and its ssh
 * ProxyCommand run on), plus `env`.
 */
export function berthEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _forced, ...inherited } = process.env;
  return { ...inherited, KUBECONFIG: clusterKubeconfig(), NO_COLOR: '1', PATH: `${repo}/node_modules/.bin:${process.env.PATH ?? ''}`, ...env };
}

/** Runs `kubectl berth ARGS` to the end and returns what happened; never throws. */
export async function berth(args: string[], options: BerthOptions = {}): Promise<Run> {
  const result = await execa(pluginBin, args, {
    reject: false,
    input: options.input ?? '',
    env: berthEnv(options.env),
    extendEnv: false,
    timeout: options.timeoutMs ?? 120_000,
    stripFinalNewline: false,
  });
  const stderr = String(result.stderr);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr, message: stderr.replace(/\s*\n\s*/g, ' ') };
}

/** berth() for a step that must succeed: fails with the command's whole output unless it exits 0. */
export async function berthOk(args: string[], options: BerthOptions = {}): Promise<Run> {
  const r = await berth(args, options);
  if (r.exitCode !== 0) throw new Error(`\`kubectl berth ${args.join(' ')}\` exited ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

export interface BerthProcessOptions {
  /** 'pipe' to type into it (console); default 'ignore'. */
  stdin?: 'pipe' | 'ignore';
  env?: Record<string, string>;
}

/** Starts `kubectl berth ARGS` and returns the running child, for commands that stay (tunnels, console). */
export function berthProcess(args: string[], options: BerthProcessOptions = {}) {
  return execa(pluginBin, args, { reject: false, stdin: options.stdin ?? 'ignore', env: berthEnv(options.env), extendEnv: false });
}

/** A long-running command (vnc port-forward, console) with stdin open and its output collected as it comes. */
export function berthBackground(args: string[], env: Record<string, string> = {}) {
  const proc = execa(pluginBin, args, { reject: false, stdin: 'pipe', buffer: false, env: berthEnv(env), extendEnv: false });
  return { proc, ...collectOutput(proc) };
}
