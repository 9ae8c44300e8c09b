// create → SSH: `kubectl berth create --wait` plus the first `kubectl berth ssh` command, with the
// image already in the node's cache, against bare QEMU booting the same guest image to its first ssh
// command with the same accelerator (TCG here). Target ≤ 1.3×. Needs the whole chain: cluster,
// berth image, agent, launcher, and the guest: the tiny test guest, and the Debian 12 cloud guest
// (its own cloud-init, OpenSSH and systemd: the same ratio on a real distribution).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bareBoot, sshUntilReady, type GuestPlan } from './bare-qemu.js';
import { benchEnv, cacheDir, freePort, interleaved, requireCluster, requireCommand, requireFile, timeCommand } from './measure.js';
import { imageLabelName } from '../../shared/catalog.js';
import { LabelValues, Labels, SYSTEM_NAMESPACE, VM_CONTAINER } from '../../shared/contract.js';
import { NotMeasuredError, type Benchmark, type BenchContext } from './result.js';
import { median, meetsTarget, ratioSummary, summarize, type Target } from './stats.js';

const TARGET: Target = { direction: 'at-most', value: 1.3 };

/** One guest the benchmark boots both ways. */
interface BenchGuest {
  id: string;
  title: string;
  /** The qcow2 in the berth cache, with its `.sha256` beside it. */
  file: string[];
  build: string;
  /** Catalog name, and the namespace of the VMs: one of each per guest, so two runs never meet. */
  image: string;
  namespace: string;
  plan: GuestPlan;
  /** How long one boot may take to its first ssh command, on either side. */
  bootTimeoutMs: number;
}

const TINY: BenchGuest = {
  id: 'create-ssh',
  title: 'create → SSH',
  file: ['guest', 'guest.qcow2'],
  build: 'build the test guest with test/guest/build.sh',
  image: 'bench-guest',
  namespace: 't-bench-create',
  plan: { cpus: 1, memoryMiB: 512, user: 'root' },
  bootTimeoutMs: 180_000,
};

// The plan of the Debian end-to-end test (768 MiB: cloud-init and systemd want more than the tiny
// guest); its default user `debian` gets the key, as on Debian's cloud images.
const DEBIAN: BenchGuest = {
  id: 'create-ssh-debian',
  title: 'create → SSH, Debian 12 guest',
  file: ['guest', 'debian-12.qcow2'],
  build: 'build the Debian guest with test/guest/build-debian.sh',
  image: 'bench-debian-12',
  namespace: 't-bench-create-debian',
  plan: { cpus: 1, memoryMiB: 768, user: 'debian' },
  bootTimeoutMs: 600_000,
};

interface BerthSide {
  env: NodeJS.ProcessEnv;
  guest: BenchGuest;
  key: string;
}

// Long enough for `create --wait` of the Debian guest under TCG on a loaded machine.
function kubectl(env: NodeJS.ProcessEnv, ...args: string[]) {
  return timeCommand(['kubectl', ...args], { env, timeoutMs: 660_000 });
}

/** Purges the VM and waits until its pod is gone, so the next run starts on an idle node. */
async function purgeVm(side: BerthSide, name: string): Promise<void> {
  await kubectl(side.env, 'berth', 'purge', name, '-n', side.guest.namespace, '-y', '--delete-disks').catch(() => undefined);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { stdout } = await kubectl(side.env, 'get', 'pods', '-n', side.guest.namespace, '-l', `${Labels.vm}=${name}`, '-o', 'name');
    if (stdout.trim() === '') return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the pod of VM ${name} is still there 120 s after purge`);
}

/** Seconds from the start of `create` to the launcher's first line and to its spawning QEMU. */
interface Phases {
  launcherStart: number;
  qemuStart: number;
}

/**
 * Reads the phases from the VM container's log timestamps. The cluster runs on this host, so its
 * clock is ours; a launcher line missing from the log leaves the phases undefined, not guessed.
 */
async function phases(side: BerthSide, name: string, startedAtMs: number): Promise<Phases | undefined> {
  const { stdout: pod } = await kubectl(side.env, 'get', 'pods', '-n', side.guest.namespace, '-l', `${Labels.vm}=${name}`, '-o', 'jsonpath={.items[0].metadata.name}');
  if (!pod.trim()) return undefined;
  const { stdout } = await kubectl(side.env, 'logs', pod.trim(), '-n', side.guest.namespace, '-c', VM_CONTAINER, '--timestamps');
  const at = (pattern: RegExp) => {
    const line = stdout.split('\n').find((l) => pattern.test(l));
    return line ? (Date.parse(line.slice(0, line.indexOf(' '))) - startedAtMs) / 1000 : undefined;
  };
  const launcherStart = at(/berth-launcher: start:/);
  const qemuStart = at(/berth-launcher: qemu: \S*qemu-system/);
  return launcherStart !== undefined && qemuStart !== undefined ? { launcherStart, qemuStart } : undefined;
}

/** create --wait, then `kubectl berth ssh root@NAME -- true` retried until it succeeds: what a user does. */
async function berthBoot(side: BerthSide, run: number): Promise<{ seconds: number; create: number; sshFailures: number; phases?: Phases }> {
  const name = `bench-${run < 0 ? 'warm' : run}`;
  await purgeVm(side, name);
  const startedAtMs = Date.now();
  const started = performance.now();
  const { plan, bootTimeoutMs } = side.guest;
  await kubectl(side.env, 'berth', 'create', name, '-n', side.guest.namespace, '--image', side.guest.image, '--accel', 'tcg',
    '--cpus', String(plan.cpus), '--memory', `${plan.memoryMiB}Mi`, '--ephemeral', '--ssh-key', `${side.key}.pub`, '--wait', '--timeout', `${bootTimeoutMs / 1000}s`);
  const create = (performance.now() - started) / 1000;
  // A known_hosts of the benchmark's own: a VM of the same name in an earlier run had another host key.
  const ssh = ['kubectl', 'berth', 'ssh', `${plan.user}@${name}`, '-n', side.guest.namespace, '-i', side.key, '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${side.key}.known_hosts`, '--', 'true'];
  const sshFailures = await sshUntilReady(ssh, Date.now() + bootTimeoutMs, side.env);
  const seconds = (performance.now() - started) / 1000;
  const timeline = await phases(side, name, startedAtMs).catch(() => undefined);
  await purgeVm(side, name);
  return { seconds, create, sshFailures, phases: timeline };
}

/**
 * Serves the guest on the node's InternalIP (the agent runs with hostNetwork; a VM pod could reach
 * it too, should its launcher ever need to download) and waits until the node has it cached.
 */
async function cacheGuestImage(ctx: BenchContext, env: NodeJS.ProcessEnv, image: string, guest: string, sha: string): Promise<ChildProcess> {
  const { stdout: address } = await kubectl(env, 'get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}');
  if (!address.trim()) throw new Error('the node has no InternalIP to serve the guest image on');
  const port = await freePort();
  const server = spawn('busybox', ['httpd', '-f', '-p', `${address.trim()}:${port}`, '-h', dirname(guest)], { stdio: 'ignore' });
  const size = (await stat(guest)).size;
  await kubectl(env, 'berth', 'images', 'add', image, '--url', `http://${address.trim()}:${port}/${basename(guest)}`, '--sha256', sha, '--size', String(size), '--force');
  const label = `${Labels.nodeImagePrefix}${imageLabelName(image)}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const { stdout } = await kubectl(env, 'get', 'nodes', '-l', `${label}=${LabelValues.imageReady}`, '-o', 'name');
    if (stdout.trim() !== '') {
      ctx.log(`image ${image} is cached on ${stdout.trim()}`);
      return server;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  server.kill();
  throw new Error(`no node labelled ${label}=${LabelValues.imageReady} within 180 s: the agent did not cache the guest image`);
}

async function prerequisites(ctx: BenchContext, bench: BenchGuest): Promise<{ guest: string; key: string; sha: string }> {
  for (const command of ['create', 'ssh', 'purge', 'images/add']) {
    if (!existsSync(join(ctx.root, 'dist', 'src', 'commands', `${command}.js`))) {
      throw new NotMeasuredError(`\`kubectl berth ${command.replace('/', ' ')}\` does not exist yet (no dist/src/commands/${command}.js)`);
    }
  }
  const guest = requireFile(cacheDir(...bench.file), bench.build);
  const sha = (await readFile(`${guest}.sha256`, 'utf8')).trim().split(/\s+/)[0]!;
  for (const tool of ['qemu-system-x86_64', 'qemu-img', 'genisoimage', 'ssh', 'ssh-keygen', 'busybox']) requireCommand(tool, 'test/setup/install-deps.sh');
  await requireCluster(ctx.root);
  const agents = await kubectl(benchEnv(ctx.root), 'get', 'daemonsets', '-n', SYSTEM_NAMESPACE, '-o', 'jsonpath={.items[*].status.numberReady}').catch(() => ({ stdout: '' }));
  if (!/[1-9]/.test(agents.stdout)) {
    throw new NotMeasuredError(`berth is not installed on the local cluster (no ready agent DaemonSet in ${SYSTEM_NAMESPACE}); run kubectl berth install`);
  }
  const key = join(ctx.scratch, 'id_ed25519');
  await timeCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'berth-bench', '-f', key]);
  return { guest, key, sha };
}

function createSshOf(bench: BenchGuest): Benchmark {
  const plan = bench.plan;
  return {
    id: bench.id,
    title: bench.title,
    async run(ctx) {
      const { guest, key, sha } = await prerequisites(ctx, bench);
      const side: BerthSide = { env: benchEnv(ctx.root), guest: bench, key };
      await kubectl(side.env, 'create', 'namespace', bench.namespace).catch(() => undefined);
      const server = await cacheGuestImage(ctx, side.env, bench.image, guest, sha);
      try {
        ctx.log('warm-up: one VM so the node caches the image, and one bare boot');
        await berthBoot(side, -1);
        const bareWarm = await bareBoot(ctx.root, ctx.scratch, guest, key, plan, -1, bench.bootTimeoutMs);
        const creates: number[] = [];
        const timelines: Phases[] = [];
        const berthFailures: number[] = [];
        const bareFailures: number[] = [];
        const [ours, bare] = (await interleaved(
          ctx.runs,
          [
            async (run) => {
              const r = await berthBoot(side, run);
              creates.push(r.create);
              if (r.phases) timelines.push(r.phases);
              berthFailures.push(r.sshFailures);
              return r.seconds;
            },
            async (run) => {
              const r = await bareBoot(ctx.root, ctx.scratch, guest, key, plan, run, bench.bootTimeoutMs);
              bareFailures.push(r.sshFailures);
              return r.seconds;
            },
          ],
          ctx.log,
        )) as [number[], number[]];
        const value = ratioSummary(ours, bare);
        const s = (x: number) => `${x.toFixed(2)} s`;
        const podStart = timelines.length ? median(timelines.map((t) => t.launcherStart)) : undefined;
        const setup = timelines.length ? median(timelines.map((t) => t.qemuStart - t.launcherStart)) : undefined;
        const guestPhase = timelines.length ? median(timelines.map((t, i) => ours[i]! - t.qemuStart)) : undefined;
        const timeline = podStart !== undefined && setup !== undefined && guestPhase !== undefined
          ? `Timeline of the Berth side (medians, from the container log's timestamps): the launcher's first line ${s(podStart)} after \`create\` started ` +
            `(plugin start, API objects, scheduling, pod sandbox and container start), QEMU spawned ${s(setup)} later (the launcher's set-up: pet disk, seed, network), ` +
            `then ${s(guestPhase)} from QEMU's start to the first ssh command that succeeded; bare QEMU needs ${s(median(bare))} for the whole path.`
          : 'The container log did not show the launcher\'s start and QEMU lines, so the time is not split into phases.';
        return {
          figures: [
            {
              label: 'create --wait + first ssh vs bare QEMU',
              ours: { what: '`kubectl berth create --wait`, then `kubectl berth ssh -- true`', summary: summarize(ours), unit: 's' },
              baseline: { what: '`qemu-img create` + `genisoimage` + `qemu-system-x86_64` (TCG, user-mode net), then `ssh -- true`', summary: summarize(bare), unit: 's' },
              value,
              unit: 'x',
              target: TARGET,
              met: meetsTarget(value, TARGET),
              ifMissed:
                `of ${s(median(ours))}, \`create --wait\` returned after ${s(median(creates))} and the first \`kubectl berth ssh\` took ${s(median(ours) - median(creates))} more ` +
                `(bare QEMU: ${s(median(bare))} in all, its ssh a fraction of a second once the guest answers). ${timeline} ` +
                'What is left, largest first: (1) the guest boots slower inside the pod than bare, from QEMU\'s start to the first ssh, while the bare side\'s figure covers its whole path; ' +
                'under TCG the guest is CPU-bound and shares 2 cores with the control plane, the kubelet\'s probes and the launcher\'s relays. Overlapping the set-up with the boot ' +
                '(spawn QEMU first, let the agent finish the network while firmware and kernel start) would hide the set-up; ' +
                '(2) the kubelet learns that the guest answers through its readiness probe, every 1 s (the least Kubernetes allows), so about 0.5 s after sshd is up on average; ' +
                '--wait itself now wakes on a watch of the pod, not a poll; ' +
                '(3) `kubectl berth ssh` starts the plugin twice (the command, then its ProxyCommand `port-forward --stdio`); both now read and tunnel with node:https and ws, ' +
                'without client-node, so each costs Node + oclif (see cli-start), plus the SSH handshake with a TCG guest.',
            },
          ],
          notes: [
            `Both sides boot ${guest} (TCG, ${plan.cpus} vCPU, ${plan.memoryMiB} MiB) on a fresh qcow2 overlay with a NoCloud seed; bare QEMU uses ${bareWarm.source}.`,
            `ssh attempts that failed before the first success (median): kubectl berth ${median(berthFailures)}, bare ${median(bareFailures)}. ` +
              'The VMs use --ephemeral (an emptyDir disk) so repeated runs do not use up the test cluster\'s pre-created PVs; a PVC adds its binding time.',
            timeline,
          ],
        };
      } finally {
        await kubectl(side.env, 'delete', 'namespace', bench.namespace, '--wait=false').catch(() => undefined);
        await kubectl(side.env, 'berth', 'images', 'rm', bench.image, '--ignore-not-found').catch(() => undefined);
        server.kill();
      }
    },
  };
}

export const createSsh = createSshOf(TINY);
export const createSshDebian = createSshOf(DEBIAN);
