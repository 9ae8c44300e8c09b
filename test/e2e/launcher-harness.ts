// What the launcher e2e test needs to imitate a VM pod without a cluster: a "pod" network
// namespace wired by a veth to a "client" namespace (another pod on the same network), the
// launcher running inside the pod namespace exactly as the container would, and probes run from
// either side.
import { randomBytes } from 'node:crypto';
import { execa, type ResultPromise } from 'execa';

export const LAUNCHER_MAIN = new URL('../../agent/launcher/main.js', import.meta.url).pathname;

export function inNs(ns: string, file: string, args: string[], options: { timeout?: number; input?: string } = {}) {
  return execa('ip', ['netns', 'exec', ns, file, ...args], { reject: false, timeout: options.timeout, input: options.input });
}

export class PodSandbox {
  readonly id = randomBytes(3).toString('hex');
  readonly podNs = `berth-e2e-pod-${this.id}`;
  readonly clientNs = `berth-e2e-cli-${this.id}`;
  readonly podIp = '10.250.0.10';
  readonly clientIp = '10.250.0.20';
  readonly mtu = 1450;

  async create(): Promise<void> {
    const ip = (...args: string[]) => execa('ip', args);
    const podVeth = `bp${this.id}`;
    const clientVeth = `bc${this.id}`;
    await ip('netns', 'add', this.podNs);
    await ip('netns', 'add', this.clientNs);
    await ip('link', 'add', podVeth, 'type', 'veth', 'peer', 'name', clientVeth);
    await ip('link', 'set', podVeth, 'netns', this.podNs);
    await ip('link', 'set', clientVeth, 'netns', this.clientNs);
    await ip('-n', this.podNs, 'link', 'set', podVeth, 'name', 'eth0');
    await ip('-n', this.podNs, 'addr', 'add', `${this.podIp}/24`, 'dev', 'eth0');
    await ip('-n', this.podNs, 'link', 'set', 'lo', 'up');
    // an overlay CNI's MTU, which the VM must inherit
    await ip('-n', this.podNs, 'link', 'set', 'eth0', 'mtu', String(this.mtu), 'up');
    await ip('-n', this.clientNs, 'addr', 'add', `${this.clientIp}/24`, 'dev', clientVeth);
    await ip('-n', this.clientNs, 'link', 'set', 'lo', 'up');
    await ip('-n', this.clientNs, 'link', 'set', clientVeth, 'mtu', String(this.mtu), 'up');
    // a new netns starts with forwarding off; a Kubernetes pod inherits it on from the node
    await this.setIpForward(true);
  }

  async setIpForward(on: boolean): Promise<void> {
    await execa('ip', ['netns', 'exec', this.podNs, 'sysctl', '-qw', `net.ipv4.ip_forward=${on ? 1 : 0}`]);
  }

  /** Kills whatever still runs in the namespaces (by pid), then deletes them. */
  async destroy(): Promise<void> {
    for (const ns of [this.podNs, this.clientNs]) {
      const pids = await execa('ip', ['netns', 'pids', ns], { reject: false });
      for (const pid of String(pids.stdout).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await execa('ip', ['netns', 'del', ns], { reject: false });
    }
  }

  /** What a launcher left behind in the pod: launcher links, launcher iptables rules, processes. */
  async leftovers(): Promise<string[]> {
    const found: string[] = [];
    const links = await inNs(this.podNs, 'ip', ['-o', 'link', 'show']);
    for (const line of String(links.stdout).split('\n')) {
      const name = line.split(':')[1]?.trim().split('@')[0];
      if (name?.startsWith('berth-')) found.push(`link: ${name}`);
    }
    const rules = await inNs(this.podNs, 'iptables-save', []);
    for (const line of String(rules.stdout).split('\n')) if (/BERTH/.test(line)) found.push(`iptables: ${line}`);
    const pids = await execa('ip', ['netns', 'pids', this.podNs], { reject: false });
    for (const pid of String(pids.stdout).split('\n').filter(Boolean)) found.push(`process ${pid}`);
    return found;
  }
}

/** One launcher process in the pod namespace; stdout is the guest's serial console. */
export class LauncherRun {
  serial = '';
  logs = '';
  readonly exit: Promise<number>;
  private readonly child: ResultPromise;

  constructor(sandbox: PodSandbox, env: Record<string, string>) {
    // `ip netns exec` execs the command: the pid is the launcher's, as PID 1 would be in a pod
    this.child = execa('ip', ['netns', 'exec', sandbox.podNs, process.execPath, LAUNCHER_MAIN], {
      env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      buffer: false,
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.serial += d.toString().replace(/\r/g, '')));
    this.child.stderr?.on('data', (d: Buffer) => (this.logs += d.toString()));
    this.exit = this.child.then((r) => r.exitCode ?? 128);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, stopEarly?: () => string | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const reason = stopEarly?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** ssh options for a throwaway guest; `target` is user@host. */
export function sshArgs(key: string, target: string, command: string, port = 22): string[] {
  return [
    '-i', key, '-p', String(port),
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=3', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
    target, command,
  ];
}

/** The first `bytes` bytes a TCP server at host:port sends, or undefined when it does not answer. */
export async function banner(ns: string, host: string, port: number, bytes: number): Promise<string | undefined> {
  const probe = execa('ip', ['netns', 'exec', ns, 'socat', '-T', '3', '-u', `TCP:${host}:${port},connect-timeout=2`, 'STDOUT'], {
    reject: false,
    buffer: false,
    stdin: 'ignore',
  });
  let data = '';
  return new Promise((resolve) => {
    const done = (value: string | undefined) => {
      probe.kill('SIGKILL');
      resolve(value);
    };
    probe.stdout?.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.length >= bytes) done(data.slice(0, bytes));
    });
    void probe.then(() => done(data.length >= bytes ? data.slice(0, bytes) : undefined));
  });
}

/** The RFB 3.8 security types a VNC server offers (1 = none, 2 = VNC password), or undefined. */
export async function vncSecurityTypes(ns: string, host: string, port: number): Promise<number[] | undefined> {
  const result = await execa('ip', ['netns', 'exec', ns, 'socat', '-t', '2', '-', `TCP:${host}:${port},connect-timeout=2`], {
    reject: false,
    input: 'RFB 003.008\n',
    encoding: 'buffer',
    timeout: 10_000,
  });
  const bytes = Buffer.from(result.stdout as Uint8Array);
  if (bytes.length < 13 || bytes.subarray(0, 12).toString('latin1') !== 'RFB 003.008\n') return undefined;
  return [...bytes.subarray(13, 13 + bytes[12])];
}
