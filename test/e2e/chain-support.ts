// What the end-to-end chain needs around the plugin: run bin/kubectl-berth and kubectl as
// processes against the local cluster, serve the test guest over HTTP to the node, poll.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { berthCache, clusterKubeconfig } from '../support/cluster.js';
import { repo } from '../support/repo.js';
export { repo };

export const bin = join(repo, 'bin', 'kubectl-berth');
export const cacheDir = berthCache();
export const kubeconfig = clusterKubeconfig();
export const guestImage = join(cacheDir, 'guest/guest.qcow2');

export const env: NodeJS.ProcessEnv = {
  ...process.env,
  KUBECONFIG: kubeconfig,
  PATH: `${join(repo, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
  NO_COLOR: '1',
};

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function describe(cmd: string, args: string[], r: Run): string {
  return `\`${cmd} ${args.join(' ')}\` exited ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

async function run(cmd: string, args: string[], timeoutMs: number, input?: string): Promise<Run> {
  const r = await execa(cmd, args, { env, reject: false, timeout: timeoutMs, input, stdin: input === undefined ? 'ignore' : 'pipe' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs `kubectl berth ARGS` (the real bin/kubectl-berth) and fails with its output unless it exits 0. */
export async function berth(args: string[], timeoutMs = 120_000): Promise<Run> {
  const r = await run(bin, args, timeoutMs);
  if (r.exitCode !== 0) throw new Error(describe('kubectl berth', args, r));
  return r;
}

/** Like berth() but returns whatever happened, for steps that check a failure. */
export function berthRaw(args: string[], timeoutMs = 120_000): Promise<Run> {
  return run(bin, args, timeoutMs);
}

/** kubectl, for checking what the plugin did (the plugin itself never shells out to it). */
export async function kubectl(args: string[], timeoutMs = 60_000): Promise<string> {
  const r = await run('kubectl', args, timeoutMs);
  if (r.exitCode !== 0) throw new Error(describe('kubectl', args, r));
  return r.stdout;
}

/** A long-running plugin command (vnc port-forward, console) with its output collected as it comes. */
export function berthBackground(args: string[]): { proc: ResultPromise; out: () => string; err: () => string } {
  const proc = execa(bin, args, { env, reject: false, stdin: 'pipe', buffer: false });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return { proc, out: () => out, err: () => err };
}

export async function requireCluster(): Promise<void> {
  if (!existsSync(kubeconfig)) throw new Error(`no local cluster: ${kubeconfig} is missing; run test/setup/prepare.sh`);
  try {
    await kubectl(['get', '--raw', '/readyz'], 15_000);
  } catch (error) {
    throw new Error(`the local cluster does not answer (${kubeconfig}); run test/cluster/up.sh\n${(error as Error).message}`);
  }
}

/** Polls `probe` until it returns a value (not undefined) or the time is up; the error says what was awaited. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? `; last error: ${lastError}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The node's InternalIP: the agent runs with hostNetwork, so it reaches a server bound there. */
export async function nodeAddress(node: string): Promise<string> {
  const ip = (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'])).trim();
  if (!ip) throw new Error(`node ${node} reports no InternalIP`);
  return ip;
}

/** Serves one file over HTTP on 0.0.0.0, so pods on the node can download it. */
export class FileServer {
  private server?: Server;
  port = 0;

  constructor(private readonly file: string) {}

  async start(): Promise<void> {
    const size = statSync(this.file).size;
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(this.file).pipe(res);
    });
    await new Promise<void>((ok) => this.server!.listen(0, '0.0.0.0', ok));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }
}

export function guestSha256(): string {
  const file = `${guestImage}.sha256`;
  if (!existsSync(guestImage) || !existsSync(file)) throw new Error(`the test guest is missing (${guestImage}); run test/guest/build.sh`);
  return readFileSync(file, 'utf8').trim().split(/\s+/)[0]!;
}
