// What the launcher e2e test needs to imitate a VM pod without a cluster: a "pod" network
// namespace wired by a veth to a "client" namespace (another pod on the same network), the node
// agent's network plumbing run on it as the device plugin's PreStartContainer runs it, the
// launcher inside the pod namespace exactly as the container runs it (uid 107, no capability, the
// agent's 0666 tun node), and probes run from either side.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { LauncherEnv, VM_USER } from '../../shared/contract.js';
import { run } from '../../agent/common/exec.js';
import { openDeviceNode } from '../../agent/node/deviceplugin/device-nodes.js';
import { inNetns, plumbPodNetwork, type VmAddresses } from '../../agent/node/podnet/plumb.js';
import { launcherMain } from '../support/repo.js';

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
    // the VM pod's one sysctl (securityContext.sysctls): DHCP on port 67 without a capability
    await execa('ip', ['netns', 'exec', this.podNs, 'sysctl', '-qw', 'net.ipv4.ip_unprivileged_port_start=0']);
    this.tunNode = await openDeviceNode('/dev/net/tun', await mkdtemp(join(tmpdir(), 'berth-e2e-dev-')), 'tun', run);
  }

  /** The agent's 0666 node of /dev/net/tun, bound over /dev/net/tun for the launcher. */
  tunNode = '';
  /** The agent's log lines from plumbing this pod. */
  agentLog = '';

  /** What the agent does before each start of the VM container (agent/node/podnet). */
  async plumbNetwork(vm: VmAddresses): Promise<void> {
    await plumbPodNetwork(inNetns(run, `/run/netns/${this.podNs}`), vm, (line) => (this.agentLog += `${line}\n`));
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

  /** The agent's network in the pod: its links and iptables rules (they live as long as the pod). */
  async agentNetwork(): Promise<string[]> {
    const found: string[] = [];
    const links = await inNs(this.podNs, 'ip', ['-o', 'link', 'show']);
    for (const line of String(links.stdout).split('\n')) {
      const name = line.split(':')[1]?.trim().split('@')[0];
      if (name?.startsWith('berth-')) found.push(`link: ${name}`);
    }
    const rules = await inNs(this.podNs, 'iptables-save', []);
    for (const line of String(rules.stdout).split('\n')) if (/BERTH/.test(line)) found.push(`iptables: ${line}`);
    return found;
  }

  /** What a launcher left behind in the pod: processes (the network is the agent's, see above). */
  async leftovers(): Promise<string[]> {
    const found: string[] = [];
    const pids = await execa('ip', ['netns', 'pids', this.podNs], { reject: false });
    for (const pid of String(pids.stdout).split('\n').filter(Boolean)) found.push(`process ${pid}`);
    return found;
  }
}

/**
 * The launcher's environment for a VM whose volumes are the directories cache/, disk/, cloud-init/
 * and run/ under `work`, with its resolv.conf beside them: a TCG guest of 1 CPU and 256 MiB.
 */
export function launcherEnv(work: string, podIp: string, sha: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    [LauncherEnv.vmName]: 'e2e-vm',
    [LauncherEnv.namespace]: 't-launcher',
    [LauncherEnv.podIp]: podIp,
    [LauncherEnv.accel]: 'tcg',
    [LauncherEnv.cpus]: '1',
    [LauncherEnv.memoryMiB]: '256',
    [LauncherEnv.imageSha256]: sha,
    [LauncherEnv.vnc]: 'password',
    [LauncherEnv.shutdownSeconds]: '30',
    [LauncherEnv.imageCacheDir]: join(work, 'cache'),
    [LauncherEnv.diskDir]: join(work, 'disk'),
    [LauncherEnv.cloudInitDir]: join(work, 'cloud-init'),
    [LauncherEnv.runDir]: join(work, 'run'),
    [LauncherEnv.resolvConf]: join(work, 'resolv.conf'),
    ...overrides,
  };
}

/** One launcher process in the pod namespace; stdout is the guest's serial console. */
export class LauncherRun {
  serial = '';
  logs = '';
  readonly exit: Promise<number>;
  private readonly child: ResultPromise;

  constructor(sandbox: PodSandbox, env: Record<string, string>) {
    // `ip netns exec` runs the command in a mount namespace of its own, where the agent's tun node
    // is bound over /dev/net/tun (as the runtime makes the device node from it); then the launcher
    // runs as the VM pod's uid with no capability in any set. Each step execs, so the pid is the
    // launcher's, as PID 1 would be in a pod.
    const launch = [
      `mount --bind ${sandbox.tunNode} /dev/net/tun`,
      `exec setpriv --reuid ${VM_USER.uid} --regid ${VM_USER.gid} --clear-groups --inh-caps=-all --ambient-caps=-all --bounding-set=-all --no-new-privs "$0" "$1"`,
    ].join(' && ');
    this.child = execa('ip', ['netns', 'exec', sandbox.podNs, 'sh', '-c', launch, process.execPath, launcherMain], {
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
