// The VM pod's network path (issue 13), measured outside the cluster with the launcher harness:
// three stand-in pods, each a network namespace with a veth to a peer namespace ("another pod on
// the same network"), side by side in one run:
//   plumbed — the agent's plumbing (bridge, tap owned by uid 107, NAT rules) and the launcher as
//             uid 107 with no capability, serving DHCP: what berth ships;
//   passt   — passt as uid 107 in the pod namespace and QEMU (the launcher's command line, its tap
//             swapped for a stream netdev on passt's socket): userspace, no capability either;
//   bare    — no VM: the servers run in the pod namespace itself, the reference.
// From the peer: TCP throughput peer → guest and guest → peer, timed on the peer; from the guest
// (or the bare pod) to the peer: ICMP echo round trips. The guest is the tiny test guest under TCG.
import { execa, type ResultPromise } from 'execa';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { qemuArgs, QEMU_BINARY } from '../../agent/launcher/qemu-args.js';
import { cachedImageFileName, Files, LauncherEnv, VM_USER } from '../../shared/contract.js';
import { VM_DEFAULTS } from '../../shared/defaults.js';
import { launcherEnv, LauncherRun, PodSandbox, sshArgs } from '../e2e/launcher-harness.js';
import { eventually } from '../support/eventually.js';
import { cacheDir, interleaved, requireCommand, requireFile, timeCommand } from './measure.js';
import {
  detached, icmpInEchos, NET_PORTS, noiseVerdict, waitListening, parsePing, passtArgv, passtNetdev, pingArgv, pullScript, pushScript, sinkServer, sourceServer, withNetdev,
} from './net-plan.js';
import { NotMeasuredError, type Benchmark, type BenchContext, type Figure, type Side } from './result.js';
import { meetsTarget, pairedRatios, summarize, throughputs, type Summary, type Target } from './stats.js';

const MiB = 1024 * 1024;
/** Per sample through a guest: long enough (seconds under TCG) that starting socat is noise. */
const GUEST_BYTES = 32 * MiB;
/** Through the bare pod the kernel moves GB/s: more bytes, so the sample is not process start-up. */
const BARE_BYTES = 256 * MiB;
const PINGS = 10;
const BOOT_MS = 120_000;
const GUEST_PLAN = { cpus: 1, memoryMiB: 256 };

/** Targets as they would hold on KVM; under TCG the guest's CPU is the bottleneck (see the notes). */
const VS_BARE_THROUGHPUT: Target = { direction: 'at-least', value: 0.5 };
const VS_BARE_RTT: Target = { direction: 'at-most', value: 2 };
/** A new path must not be slower than today's kernel path: passt ÷ plumbed. */
const VS_PLUMBED_THROUGHPUT: Target = { direction: 'at-least', value: 1 };
const VS_PLUMBED_RTT: Target = { direction: 'at-most', value: 1 };

const SETPRIV = [
  'setpriv', '--reuid', String(VM_USER.uid), '--regid', String(VM_USER.gid), '--clear-groups',
  '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--no-new-privs',
];

interface Path {
  name: 'plumbed' | 'passt' | 'bare';
  sandbox: PodSandbox;
  /** Bytes per throughput sample on this path. */
  bytes: number;
  /** Runs a shell command where the servers are: in the guest over ssh, or in the bare pod. */
  shell(script: string): Promise<string>;
}

interface Guests {
  paths: Path[];
  key: string;
  children: ResultPromise[];
  passtPid?: number;
}

function ns(namespace: string, argv: readonly string[], input?: string) {
  return execa('ip', ['netns', 'exec', namespace, ...argv], { reject: false, timeout: 60_000, input });
}

async function must(what: string, result: Promise<{ exitCode?: number; stdout: unknown; stderr: unknown }>): Promise<string> {
  const r = await result;
  if (r.exitCode !== 0) throw new Error(`${what} failed (${r.exitCode}): ${String(r.stderr).trim()}`);
  return String(r.stdout);
}

/** A pod has a default route; passt and the agent's plumbing both look for the pod's interface by it. */
async function asPod(sandbox: PodSandbox): Promise<void> {
  await sandbox.create();
  await must('default route', execa('ip', ['-n', sandbox.podNs, 'route', 'add', 'default', 'via', sandbox.clientIp]));
}

function guestShell(sandbox: PodSandbox, key: string) {
  return (script: string) =>
    must(`ssh ${sandbox.podIp}: ${script}`, ns(sandbox.clientNs, ['ssh', ...sshArgs(key, `root@${sandbox.podIp}`, script)]));
}

async function waitForSsh(sandbox: PodSandbox, key: string, what: string, exited: () => string | undefined): Promise<void> {
  await eventually(`${what}: ssh to the pod IP`, BOOT_MS,
    async () => (await ns(sandbox.clientNs, ['ssh', ...sshArgs(key, `root@${sandbox.podIp}`, 'true')])).exitCode === 0,
    { stopEarly: exited });
}

/** The launcher's inputs for one VM in `dir`, as the VM pod's volumes hold them. */
async function launcherFiles(dir: string, guest: string, sha: string, publicKey: string): Promise<void> {
  for (const sub of ['cache', 'disk', 'cloud-init', 'run']) await mkdir(join(dir, sub), { recursive: true });
  await copyFile(guest, join(dir, 'cache', cachedImageFileName(sha)));
  await writeFile(join(dir, 'cloud-init', Files.metaData), 'instance-id: bench-net\nlocal-hostname: bench-net\n');
  await writeFile(join(dir, 'cloud-init', Files.userData), `#cloud-config\nssh_authorized_keys:\n  - ${publicKey}\n`);
  await writeFile(join(dir, 'resolv.conf'), 'nameserver 10.250.0.20\n');
}

async function startPlumbed(ctx: BenchContext, sandbox: PodSandbox, guest: string, sha: string, key: string): Promise<LauncherRun> {
  const dir = join(ctx.scratch, 'plumbed');
  await launcherFiles(dir, guest, sha, (await readFile(`${key}.pub`, 'utf8')).trim());
  await sandbox.plumbNetwork({ vmIp: VM_DEFAULTS.vmIp, vmGateway: VM_DEFAULTS.vmGateway });
  await execa('chmod', ['-R', 'a+rwX', dir]);
  const launcher = new LauncherRun(sandbox, launcherEnv(dir, sandbox.podIp, sha, {
    [LauncherEnv.vmName]: 'bench-net',
    [LauncherEnv.namespace]: 't-bench-net',
    [LauncherEnv.cpus]: String(GUEST_PLAN.cpus),
    [LauncherEnv.memoryMiB]: String(GUEST_PLAN.memoryMiB),
    [LauncherEnv.vnc]: 'off',
    [LauncherEnv.shutdownSeconds]: '5',
  }));

  let exited = false;
  void launcher.exit.then(() => (exited = true));
  await waitForSsh(sandbox, key, 'plumbed', () => (exited ? `the launcher exited:\n${launcher.logs}` : undefined));
  return launcher;
}

/** passt, then QEMU on its socket, both as uid 107 in the pod namespace. Returns passt's pid. */
async function startPasst(ctx: BenchContext, sandbox: PodSandbox, guest: string, key: string, children: ResultPromise[]): Promise<number> {
  const dir = join(ctx.scratch, 'passt');
  await mkdir(join(dir, 'seed'), { recursive: true });
  const publicKey = (await readFile(`${key}.pub`, 'utf8')).trim();
  await writeFile(join(dir, 'seed', Files.metaData), 'instance-id: bench-net\nlocal-hostname: bench-net\n');
  await writeFile(join(dir, 'seed', Files.userData), `#cloud-config\nssh_authorized_keys:\n  - ${publicKey}\n`);
  // uid 107 cannot read root's cache, so the base sits beside the overlay, as the node cache would
  await copyFile(guest, join(dir, 'base.qcow2'));
  await timeCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', join(dir, 'base.qcow2'), join(dir, 'pet.qcow2')]);
  await timeCommand(['genisoimage', '-quiet', '-output', join(dir, 'seed.iso'), '-volid', 'cidata', '-joliet', '-rock',
    join(dir, 'seed', Files.userData), join(dir, 'seed', Files.metaData)]);
  await execa('chmod', ['-R', 'a+rwX', dir]);
  // passt answers the guest's pings with ping sockets, which the kernel allows only to the groups in
  // ping_group_range; containerd 2 opens it to every group in each pod by default.
  await must('ping_group_range', ns(sandbox.podNs, ['sysctl', '-qw', `net.ipv4.ping_group_range=${VM_USER.gid} ${VM_USER.gid}`]));
  const socket = join(dir, 'passt.socket');
  const passt = execa('ip', ['netns', 'exec', sandbox.podNs, ...SETPRIV, ...passtArgv(socket, Object.values(NET_PORTS))], { reject: false, buffer: false, stdin: 'ignore' });
  children.push(passt);
  let passtLog = '';
  passt.stderr?.on('data', (d: Buffer) => (passtLog += d.toString()));
  passt.stdout?.on('data', (d: Buffer) => (passtLog += d.toString()));
  let passtExited = false;
  void passt.then(() => (passtExited = true));
  await eventually('passt socket', 20_000, () => existsSync(socket), { stopEarly: () => (passtExited ? `passt exited:\n${passtLog}` : undefined) });
  const args = withNetdev(qemuArgs({
    name: 'bench-passt', accel: 'tcg', cpus: GUEST_PLAN.cpus, memoryMiB: GUEST_PLAN.memoryMiB,
    petDisk: join(dir, 'pet.qcow2'), seedIso: join(dir, 'seed.iso'), tap: 'unused', mac: '52:54:00:12:34:57',
    qmpSocket: join(dir, 'qmp.sock'), vnc: 'off',
  }), passtNetdev(socket), join(dir, 'serial.log'));
  const qemu = execa('ip', ['netns', 'exec', sandbox.podNs, ...SETPRIV, QEMU_BINARY, ...args], { reject: false, buffer: false, stdin: 'ignore' });
  children.push(qemu);
  let qemuLog = '';
  qemu.stderr?.on('data', (d: Buffer) => (qemuLog += d.toString()));
  let qemuExited = false;
  void qemu.then(() => (qemuExited = true));
  await waitForSsh(sandbox, key, 'passt', () => (qemuExited ? `QEMU exited:\n${qemuLog}` : passtExited ? `passt exited:\n${passtLog}` : undefined));
  // this passt logs to syslog as well, and says so on every line where there is none
  ctx.log(`passt: ${passtLog.trim().split('\n').filter((l) => l.trim() && !/syslog/.test(l)).join(' | ')}`);
  return passt.pid!;
}

/** passt's CPU time so far (user + system, seconds), from /proc; the translation is its cost. */
async function cpuOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function setUp(ctx: BenchContext): Promise<Guests & { destroy(): Promise<void> }> {
  const guestDir = cacheDir('guest');
  const guest = requireFile(join(guestDir, 'guest.qcow2'), 'build the test guest with test/guest/build.sh');
  const sha = (await readFile(join(guestDir, 'guest.qcow2.sha256'), 'utf8')).trim();
  // uid 107 (the launcher, passt, QEMU) must reach its files in the scratch directory
  await chmod(ctx.scratch, 0o755);
  const key = join(ctx.scratch, 'id_ed25519');
  await timeCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'bench-net', '-f', key]);
  const plumbed = new PodSandbox();
  const passt = new PodSandbox();
  const bare = new PodSandbox();
  const children: ResultPromise[] = [];
  const destroy = async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const sandbox of [plumbed, passt, bare]) await sandbox.destroy();
  };
  try {
    for (const sandbox of [plumbed, passt, bare]) await asPod(sandbox);
    ctx.log('booting the plumbed VM (launcher, uid 107)');
    await startPlumbed(ctx, plumbed, guest, sha, key);
    ctx.log('booting the passt VM (passt + QEMU, uid 107)');
    const passtPid = await startPasst(ctx, passt, guest, key, children);
    const paths: Path[] = [
      { name: 'plumbed', sandbox: plumbed, bytes: GUEST_BYTES, shell: guestShell(plumbed, key) },
      { name: 'passt', sandbox: passt, bytes: GUEST_BYTES, shell: guestShell(passt, key) },
      { name: 'bare', sandbox: bare, bytes: BARE_BYTES, shell: (script) => must(`bare pod: ${script}`, ns(bare.podNs, ['sh', '-c', script])) },
    ];
    for (const path of paths) {
      await path.shell([detached(sinkServer(NET_PORTS.sink)), detached(sourceServer(NET_PORTS.source, path.bytes)), waitListening([NET_PORTS.sink, NET_PORTS.source])].join(' '));
    }
    return { paths, key, children, passtPid, destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}

async function push(path: Path): Promise<number> {
  const { seconds, stdout } = await timeCommand(['ip', 'netns', 'exec', path.sandbox.clientNs, 'sh', '-c', pushScript(path.sandbox.podIp, NET_PORTS.sink, path.bytes)]);
  if (stdout.trim() !== 'ok') throw new Error(`${path.name}: the sink did not confirm ${path.bytes} bytes (got ${JSON.stringify(stdout)})`);
  return seconds;
}

async function pull(path: Path): Promise<number> {
  const { seconds, stdout } = await timeCommand(['ip', 'netns', 'exec', path.sandbox.clientNs, 'sh', '-c', pullScript(path.sandbox.podIp, NET_PORTS.source)]);
  if (Number(stdout.trim()) !== path.bytes) throw new Error(`${path.name}: received ${stdout.trim()} of ${path.bytes} bytes`);
  return seconds;
}

async function ping(path: Path): Promise<number> {
  return parsePing(await path.shell(pingArgv(path.sandbox.clientIp, PINGS).join(' '))).avgSeconds;
}

function side(what: string, summary: Summary, unit: Side['unit']): Side {
  return { what, summary, unit };
}

async function run(ctx: BenchContext) {
  if (process.getuid?.() !== 0) throw new NotMeasuredError('needs root for network namespaces');
  for (const tool of ['passt', 'socat', 'ssh', 'ping', 'setpriv', 'genisoimage', 'qemu-img', QEMU_BINARY]) requireCommand(tool, 'bash test/setup/install-deps.sh');
  const guests = await setUp(ctx);
  try {
    const [plumbed, passt, bare] = guests.paths as [Path, Path, Path];
    const mtu = async (path: Path) => (await path.shell('cat /sys/class/net/eth0/mtu')).trim();
    const mtus = { plumbed: await mtu(plumbed), passt: await mtu(passt) };
    const pingFromPeer = async (path: Path) => {
      const before = icmpInEchos(await path.shell('cat /proc/net/snmp'));
      const replies = parsePing(await must('peer ping', ns(path.sandbox.clientNs, pingArgv(path.sandbox.podIp, 3)))).received;
      return { replies, inGuest: icmpInEchos(await path.shell('cat /proc/net/snmp')) - before };
    };
    const peerPings = { plumbed: await pingFromPeer(plumbed), passt: await pingFromPeer(passt) };
    const passtCpuBefore = await cpuOf(guests.passtPid!);
    ctx.log('TCP peer → guest (seconds per sample: plumbed | passt | bare)');
    const pushSeconds = await interleaved(ctx.runs, guests.paths.map((p) => () => push(p)), ctx.log);
    ctx.log('TCP guest → peer');
    const pullSeconds = await interleaved(ctx.runs, guests.paths.map((p) => () => pull(p)), ctx.log);
    const passtCpu = (await cpuOf(guests.passtPid!)) - passtCpuBefore;
    ctx.log('ICMP echo guest → peer (mean round trip, seconds)');
    const rtts = await interleaved(ctx.runs, guests.paths.map((p) => () => ping(p)), ctx.log);

    const mbps = (seconds: number[], path: Path) => throughputs(path.bytes, seconds).map((b) => b / 1e6);
    const pushRate = guests.paths.map((p, i) => mbps(pushSeconds[i]!, p));
    const pullRate = guests.paths.map((p, i) => mbps(pullSeconds[i]!, p));
    const label = { plumbed: 'plumbed (agent: bridge, tap, NAT; launcher DHCP)', passt: 'passt (userspace, stream netdev)', bare: 'bare pod (no VM)' };
    const figures: Figure[] = [];
    const pair = (what: string, ours: Path, oursSamples: number[], base: Path, baseSamples: number[], unit: 'MB/s' | 's', target: Target, ifMissed: string) => {
      const value = summarize(pairedRatios(oursSamples, baseSamples));
      figures.push({
        label: `${what}: ${ours.name} vs ${base.name}`,
        ours: side(label[ours.name], summarize(oursSamples), unit),
        baseline: side(label[base.name], summarize(baseSamples), unit),
        value, unit: 'x', target, met: meetsTarget(value, target), ifMissed,
      });
    };
    const tcg = 'under TCG every packet costs the emulated guest CPU (virtio-net, the guest\'s TCP stack, socat), so the guest, not the path in front of it, sets the pace; the passt figures of the same run show what a path without the kernel\'s bridge and NAT does with the same guest. The target is for KVM, which this machine cannot run.';
    pair('TCP peer → guest', plumbed, pushRate[0]!, bare, pushRate[2]!, 'MB/s', VS_BARE_THROUGHPUT, tcg);
    pair('TCP guest → peer', plumbed, pullRate[0]!, bare, pullRate[2]!, 'MB/s', VS_BARE_THROUGHPUT, tcg);
    pair('ICMP echo RTT guest → peer', plumbed, rtts[0]!, bare, rtts[2]!, 's', VS_BARE_RTT, tcg);
    const worsePasst = (samples: number[], base: number[], target: Target) =>
      `${noiseVerdict(pairedRatios(samples, base), target.direction)} The kernel path stays in any case (see the choice in the notes); this figure says what passt would have to show to be worth its translation.`;
    pair('TCP peer → guest', passt, pushRate[1]!, plumbed, pushRate[0]!, 'MB/s', VS_PLUMBED_THROUGHPUT, worsePasst(pushRate[1]!, pushRate[0]!, VS_PLUMBED_THROUGHPUT));
    pair('TCP guest → peer', passt, pullRate[1]!, plumbed, pullRate[0]!, 'MB/s', VS_PLUMBED_THROUGHPUT, worsePasst(pullRate[1]!, pullRate[0]!, VS_PLUMBED_THROUGHPUT));
    pair('ICMP echo RTT guest → peer', passt, rtts[1]!, plumbed, rtts[0]!, 's', VS_PLUMBED_RTT, worsePasst(rtts[1]!, rtts[0]!, VS_PLUMBED_RTT));

    const passtBytes = ctx.runs * 2 * GUEST_BYTES;
    const ratio = (ours: number[], base: number[]) => `${summarize(pairedRatios(ours, base)).median.toFixed(2)}×`;
    const notes = [
      `Choice: the agent plumbs the pod's network namespace from outside (bridge, tap owned by uid 107, 1:1 NAT; DHCP from the unprivileged launcher), passt not adopted. Speed does not decide it here: in this run passt moved ${ratio(pushRate[1]!, pushRate[0]!)} the plumbed path's throughput peer → guest and ${ratio(pullRate[1]!, pullRate[0]!)} guest → peer, with ${ratio(rtts[1]!, rtts[0]!)} its round trip, through the same TCG guest. What decides is fidelity: on the kernel path everything sent to the pod IP reaches the guest as the same packets, only the destination address rewritten (every TCP and UDP port but 5900, ICMP — a peer's ping is answered by the guest —, SCTP and any other IP protocol), with the guest's own TCP end to end and the peer's address intact. passt forwards inbound only the TCP and UDP ports it is told (a listening socket each), a ping to the pod IP is answered by the pod's kernel and never reaches the guest, SCTP and other protocols do not pass, every TCP connection is terminated and re-made in userspace, and the Debian 12 passt sent nothing from the guest on an inbound connection the peer had not written to yet (see the method). Neither way needs a capability in the VM pod. The cost of the kernel path is a privileged agent that enters each VM pod's network namespace (host PID namespace) before its container starts; the agent is privileged already (KVM probe, device plugin), but passt would take the network out of its hands, which is passt's real advantage. passt's translation also runs in the pod's own CPU budget, where the kernel path's is the node's softirq time.`,
      `Method: three network namespaces stand in for pods, each with a veth to its own peer namespace (another pod on the same network; MTU 1450, an overlay's) and a default route via the peer, built by the launcher e2e harness (test/e2e/launcher-harness.ts). plumbed: the agent's plumbing (agent/node/podnet) and the launcher as uid 107 with no capability, as in a VM pod. passt: Debian's passt ${await passtVersion()} as uid 107 and QEMU with the launcher's own command line, its tap netdev swapped for \`-netdev stream\` on passt's socket. bare: no VM, the same servers in the pod namespace. One TCG guest (the test guest, ${GUEST_PLAN.cpus} vCPU, ${GUEST_PLAN.memoryMiB} MiB) per VM path, both booted for the whole run; the three paths interleaved (rotating order) in each of ${ctx.runs} runs.`,
      `Throughput: ${GUEST_BYTES / MiB} MiB of zeros per sample through a guest (${BARE_BYTES / MiB} MiB through the bare pod, which moves GB/s), socat at both ends, timed on the peer: peer → guest until the guest's sink answers "ok" after reading everything, guest → peer from a one-byte request until the peer has read the source's last byte (the request because the Debian 12 passt forwarded nothing from the guest on a connection the peer had not written to: 0 bytes, then the close). MB/s are 10^6 bytes per second. Round trip: the mean of ${PINGS} ICMP echoes 0.2 s apart from the guest (busybox ping) or the bare pod (iputils) to the peer.`,
      'plumbed is also today\'s NAT path: the in-pod NAT it replaced (the launcher with NET_ADMIN) built the same kernel data path (bridge, tap, iptables NAT in the pod\'s namespace); only the process that builds it changed, so the two cannot differ in throughput or round trip, and the old code is gone.',
      'Under TCG the guest\'s emulated CPU dominates both throughput and round trip: the ratios to the bare pod measure the emulator more than the path. The ratio that decides is passt against plumbed, both through the same TCG guest in the same run. A round trip through a TCG guest on a loaded machine is mostly how soon the host schedules the emulator\'s thread, so those ranges are wide; a ratio\'s median is the median of the per-run ratios, which need not equal the ratio of the two medians.',
      `A peer's ping to the pod IP (3 echoes, checked by the guest's Icmp InEchos in /proc/net/snmp): plumbed, ${peerPings.plumbed.replies} replies and ${peerPings.plumbed.inGuest} requests counted by the guest; passt, ${peerPings.passt.replies} replies and ${peerPings.passt.inGuest} counted by the guest${peerPings.passt.inGuest === 0 && peerPings.passt.replies > 0 ? " (the pod's own kernel answered; the guest never saw them)" : ''}.`,
      `passt's own CPU time while it carried the ${(passtBytes / MiB).toFixed(0)} MiB of the throughput runs: ${passtCpu.toFixed(2)} s (the plumbed path's cost is kernel time in softirq, not attributed to a process). The guest's MTU: plumbed ${mtus.plumbed} (the pod's, from the launcher's DHCP); passt ${mtus.passt} (passt joins and splits TCP segments itself, so the guest's frames need not fit the pod's MTU; under TCG fewer, larger frames mean less emulated work per byte).`,
    ];
    return { figures, notes };
  } finally {
    await guests.destroy();
  }
}

async function passtVersion(): Promise<string> {
  const r = await execa('dpkg-query', ['-W', '-f=${Version}', 'passt'], { reject: false });
  return r.exitCode === 0 ? String(r.stdout) : '(version unknown)';
}

export const netPaths: Benchmark = {
  id: 'net-paths',
  title: 'VM network path',
  run,
};
