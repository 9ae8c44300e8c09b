// The I/O edge of the benchmark: run a child process and time it, run two sides interleaved, check
// prerequisites. Timing is wall clock around the whole child (spawn to exit), the way a user feels it.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NotMeasuredError } from './result.js';
import { berthCache, clusterKubeconfig } from '../support/cluster.js';
import { freePort as freePortOn } from '../support/ports.js';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

export interface Timed {
  seconds: number;
  stdout: string;
  stderr: string;
}

/** Runs argv to completion and times it; a non-zero exit is an error, never a fast sample. */
export function timeCommand(argv: readonly string[], options: RunOptions = {}): Promise<Timed> {
  const [file, ...args] = argv;
  if (!file) throw new RangeError('empty command');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 300_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code === 0) return resolve({ seconds, stdout, stderr });
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      reject(new Error(`${argv.join(' ')} exited with ${signal ?? code}${tail ? `:\n${tail}` : ''}`));
    });
  });
}

/**
 * Runs the sides of a comparison interleaved, rotating which goes first (A B C, B C A, C A B …),
 * so that a noisy neighbour or a warming cache hits every side alike. Returns one array per side.
 */
export async function interleaved(
  runs: number,
  sides: ReadonlyArray<(run: number) => Promise<number>>,
  log: (message: string) => void = () => {},
): Promise<number[][]> {
  const samples = sides.map((): number[] => []);
  for (let run = 0; run < runs; run++) {
    for (let k = 0; k < sides.length; k++) {
      const side = (run + k) % sides.length;
      samples[side]!.push(await sides[side]!(run));
    }
    log(`  run ${run + 1}/${runs}: ${samples.map((s) => fmt(s[run]!)).join(' | ')}`);
  }
  return samples;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(4);
}

/**
 * CPU time (user + system, seconds) of one run of argv, from GNU time. Unlike wall time it hardly
 * moves with the machine's load, so it backs up a wall-clock ratio whose range came out wide.
 */
export async function cpuSeconds(argv: readonly string[], scratch: string, options: RunOptions = {}): Promise<number> {
  const out = join(scratch, `cpu-${process.pid}-${Math.random().toString(36).slice(2)}`);
  await timeCommand(['/usr/bin/time', '-f', '%U %S', '-o', out, ...argv], options);
  const [user, system] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(out, { force: true });
  return user! + system!;
}

/** Mean time of `count` back-to-back invocations: one sample for commands too short to time alone. */
export async function meanOf(count: number, once: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < count; i++) total += await once();
  return total / count;
}

export function cacheDir(...parts: string[]): string {
  return join(berthCache(), ...parts);
}

export const KUBECONFIG = clusterKubeconfig();

/** The environment the benchmarks run commands in: our bin/ first, so `kubectl berth` finds this checkout. */
export function benchEnv(root: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: [join(root, 'bin'), join(root, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
    KUBECONFIG,
    ...extra,
  };
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function requireCommand(name: string, hint: string): string {
  const found = findOnPath(name);
  if (!found) throw new NotMeasuredError(`'${name}' is not installed (${hint})`);
  return found;
}

export function requireFile(path: string, hint: string): string {
  if (!existsSync(path)) throw new NotMeasuredError(`${path} does not exist (${hint})`);
  return path;
}

/** The local cluster must be up with its node Ready; otherwise the benchmark says so and stops. */
export async function requireCluster(root: string): Promise<void> {
  requireFile(KUBECONFIG, 'bring the local cluster up with test/cluster/up.sh');
  let nodes: string;
  try {
    nodes = (await timeCommand(['kubectl', 'get', 'nodes', '--no-headers', '--request-timeout=10s'], {
      env: benchEnv(root),
      timeoutMs: 20_000,
    })).stdout;
  } catch (error) {
    throw new NotMeasuredError(`the local cluster does not answer: ${(error as Error).message}`);
  }
  if (!/\sReady\s/.test(nodes)) throw new NotMeasuredError(`no Ready node in the local cluster:\n${nodes}`);
}

/** Peak resident set (VmHWM) of a live process in MB (10^6 bytes), or undefined once it has gone. */
export function readPeakRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : (Number(kb) * 1024) / 1e6;
  } catch {
    return undefined;
  }
}

/** A TCP port free on every interface right now (bound once, then released for the caller). */
export const freePort = (): Promise<number> => freePortOn('any');
