// Failover and drain against a plain restart (issue 14): the same VM, on shared storage, on two
// extra nodes of the local cluster (test/cluster/nodes.sh), with the image cached on both. Each
// side runs from the moment the user acts to the first `kubectl berth ssh` that reaches the new
// boot of the guest (its boot_id changed):
// - restart: `kubectl berth restart` started; the VM stays on its node (the other is cordoned);
// - drain: `kubectl drain` of the VM's node started; the VM comes up on the other;
// - failover: the VM's node stopped entirely (its PID 1 killed, as a power loss); as soon as the
//   Node reads NotReady, `kubectl delete node` says it is gone for good (what README's "When a
//   VM's node is drained or lost" asks of the user), and the VM comes up on the other. The lost
//   node is then started again, unmeasured, for the next run.
// Extra nodes change the shared cluster: run it under /tmp/berth-cluster.lock, as nodes.sh asks.
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { imageLabelKey } from '../../shared/image-cache.js';
import { Labels, LabelValues, SYSTEM_NAMESPACE } from '../../shared/contract.js';
import { berthCache, extraNodeNames, NODE_NAME, nodeAddress, SHARED_STORAGE_CLASS } from '../support/cluster.js';
import { ImageServer } from '../support/image-server.js';
import { benchEnv, cacheDir, interleaved, requireCluster, requireCommand, requireFile, timeCommand } from './measure.js';
import { NotMeasuredError, type Benchmark } from './result.js';
import { median, meetsTarget, ratioSummary, summarize, type Target } from './stats.js';

const NAMESPACE = 't-bench-failover';
const VM = 'bench-mover';
const IMAGE = 'bench-failover-guest';
const PIN = 't-bench-failover.berth.dev/pool';
const [nodeB, nodeC] = extraNodeNames(3) as [string, string];
const BOOT_ID = '/proc/sys/kernel/random/boot_id';
/** A drain is a restart on another node: the same power-down and boot, plus the eviction's round trips. */
const DRAIN_TARGET: Target = { direction: 'at-most', value: 1.5 };
/** A lost node adds Kubernetes' wait before it calls the node NotReady; the guest is not powered down. */
const FAILOVER_TARGET: Target = { direction: 'at-most', value: 3 };

interface Sample {
  seconds: number;
  /** Seconds from the action to the new pod's creation (its creationTimestamp, whole seconds). */
  newPod: number;
  /** Side-specific midpoints, in seconds from the action. */
  marks: Record<string, number>;
}

export const failover: Benchmark = {
  id: 'failover',
  title: 'failover and drain vs restart',
  async run(ctx) {
    const root = ctx.root;
    const env = benchEnv(root);
    const guest = requireFile(cacheDir('guest', 'guest.qcow2'), 'build the test guest with test/guest/build.sh');
    const sha = (await readFile(`${guest}.sha256`, 'utf8')).trim().split(/\s+/)[0]!;
    for (const tool of ['ssh', 'ssh-keygen', 'mmdebstrap', 'unshare']) requireCommand(tool, 'test/setup/install-deps.sh');
    if (process.getuid?.() !== 0) throw new NotMeasuredError('extra nodes (test/cluster/nodes.sh) need root');
    await requireCluster(root);
    const kubectl = (...args: string[]) => timeCommand(['kubectl', ...args], { env, timeoutMs: 420_000 });
    const agents = await kubectl('get', 'daemonsets', '-n', SYSTEM_NAMESPACE, '-o', 'jsonpath={.items[*].status.numberReady}').catch(() => ({ stdout: '' }));
    if (!/[1-9]/.test(agents.stdout)) throw new NotMeasuredError(`berth is not installed on the local cluster (no ready agent DaemonSet in ${SYSTEM_NAMESPACE}); run kubectl berth install`);

    const key = join(ctx.scratch, 'id_ed25519');
    await timeCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'berth-bench-failover', '-f', key]);
    const nodesSh = (...args: string[]) => timeCommand(['bash', join(root, 'test', 'cluster', 'nodes.sh'), ...args], { env, timeoutMs: 900_000 });
    const server = new ImageServer('0.0.0.0');
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
        await sleep(500);
      }
    }
    const pod = async () => {
      const { stdout } = await kubectl('get', 'pods', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'json');
      return JSON.parse(stdout).items[0] as { metadata: { uid: string; creationTimestamp: string }; spec: { nodeName?: string } } | undefined;
    };
    const bootId = async () => (await timeCommand(['kubectl', 'berth', 'ssh', `root@${VM}`, '-n', NAMESPACE, '-i', key, '-o', 'BatchMode=yes',
      '-o', `UserKnownHostsFile=${key}.known_hosts`, '--', 'cat', BOOT_ID], { env, timeoutMs: 20_000 })).stdout.trim();
    /** Until ssh reaches a boot of the guest other than `previous`; the VM's pod must then be on `node`. */
    async function newBoot(previous: string, node: string, startedAt: number, startedAtMs: number, marks: Record<string, number>): Promise<Sample> {
      await until('the guest to answer ssh after its new boot', 600_000, async () => {
        const id = await bootId();
        return id && id !== previous ? id : undefined;
      });
      const seconds = (performance.now() - startedAt) / 1000;
      const p = await pod();
      if (p?.spec.nodeName !== node) throw new Error(`the VM came up on ${p?.spec.nodeName ?? 'no node'}, not on ${node}`);
      return { seconds, newPod: (Date.parse(p.metadata.creationTimestamp) - startedAtMs) / 1000, marks };
    }
    const cachedOn = (node: string) => until(`${node} to cache ${IMAGE}`, 300_000, async () => {
      const { stdout } = await kubectl('get', 'node', node, '-o', 'json');
      return JSON.parse(stdout).metadata.labels[imageLabelKey(IMAGE)] === LabelValues.imageReady ? true : undefined;
    });

    let current = nodeB;
    let other = nodeC;
    const restarts: Sample[] = [];
    const drains: Sample[] = [];
    const failovers: Sample[] = [];
    try {
      ctx.log('making the cluster three nodes (test/cluster/nodes.sh add 3)');
      await nodesSh('add', '3');
      await kubectl('delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true');
      await kubectl('create', 'namespace', NAMESPACE);
      for (const node of [nodeB, nodeC]) await kubectl('label', 'node', node, `${PIN}=bench`, '--overwrite');
      await kubectl('cordon', nodeC);
      server.serveFile('/guest.qcow2', guest);
      await server.start();
      const url = `http://${await nodeAddress(NODE_NAME)}:${server.port}/guest.qcow2`;
      await kubectl('berth', 'images', 'add', IMAGE, '--url', url, '--sha256', sha, '--size', String((await stat(guest)).size), '--force');
      for (const node of [nodeB, nodeC]) await cachedOn(node);
      ctx.log(`creating VM ${VM} on ${nodeB}, on ${SHARED_STORAGE_CLASS} storage`);
      await kubectl('berth', 'create', VM, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--storage-class', SHARED_STORAGE_CLASS,
        '--node-selector', `${PIN}=bench`, '--shutdown-timeout', '60s', '--wait', '--timeout', '6m');
      await until('the first ssh', 300_000, async () => (await bootId()) || undefined);

      const restart = async () => {
        const previous = await bootId();
        const startedAtMs = Date.now();
        const startedAt = performance.now();
        await kubectl('berth', 'restart', VM, '-n', NAMESPACE);
        const sample = await newBoot(previous, current, startedAt, startedAtMs, { 'restart returned': (performance.now() - startedAt) / 1000 });
        restarts.push(sample);
        return sample.seconds;
      };
      const drain = async () => {
        const previous = await bootId();
        await kubectl('uncordon', other);
        const startedAtMs = Date.now();
        const startedAt = performance.now();
        await kubectl('drain', current, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout', '300s');
        const sample = await newBoot(previous, other, startedAt, startedAtMs, { 'drain returned': (performance.now() - startedAt) / 1000 });
        drains.push(sample);
        [current, other] = [other, current]; // the drained node stays cordoned
        return sample.seconds;
      };
      const lose = async () => {
        const previous = await bootId();
        await kubectl('uncordon', other);
        const pid = Number(readFileSync(join(berthCache(), 'cluster', 'nodes', current, 'pid'), 'utf8').trim());
        const startedAtMs = Date.now();
        const startedAt = performance.now();
        process.kill(pid, 'SIGKILL');
        await until(`${current} NotReady`, 300_000, async () => {
          const { stdout } = await kubectl('get', 'node', current, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}');
          return stdout.trim() !== 'True' ? true : undefined;
        });
        const notReady = (performance.now() - startedAt) / 1000;
        await kubectl('delete', 'node', current, '--wait=true');
        const marks = { NotReady: notReady, 'node deleted': (performance.now() - startedAt) / 1000 };
        const sample = await newBoot(previous, other, startedAt, startedAtMs, marks);
        failovers.push(sample);
        const lost = current;
        [current, other] = [other, current];
        ctx.log(`  starting ${lost} again (unmeasured)`);
        await nodesSh('add', '3');
        await kubectl('label', 'node', lost, `${PIN}=bench`, '--overwrite');
        await kubectl('cordon', lost);
        await cachedOn(lost); // a fresh node: its cache fills again, so the next move finds the base there
        return sample.seconds;
      };

      const [restartS, drainS, failoverS] = (await interleaved(ctx.runs, [restart, drain, lose], ctx.log)) as [number[], number[], number[]];
      const s = (x: number) => `${x.toFixed(1)} s`;
      const mark = (samples: Sample[], name: string) => s(median(samples.map((x) => x.marks[name]!)));
      const newPod = (samples: Sample[]) => `${s(median(samples.map((x) => x.newPod)))}, then ${s(median(samples.map((x) => x.seconds - x.newPod)))} from the new pod to the first ssh`;
      const restartSide = { what: '`kubectl berth restart` started → `kubectl berth ssh` reaches the new boot (same node)', summary: summarize(restartS), unit: 's' as const };
      const drainValue = ratioSummary(drainS, restartS);
      const failoverValue = ratioSummary(failoverS, restartS);
      const breakdown =
        `Medians: restart ${s(median(restartS))} (the command returned after ${mark(restarts, 'restart returned')}, the new pod was made at ${newPod(restarts)}); ` +
        `drain ${s(median(drainS))} (\`kubectl drain\` returned after ${mark(drains, 'drain returned')}, once the evicted pod was gone, i.e. the guest had powered down; new pod at ${newPod(drains)}); ` +
        `failover ${s(median(failoverS))} (the Node read NotReady after ${mark(failovers, 'NotReady')}, \`kubectl delete node\` returned at ${mark(failovers, 'node deleted')}, new pod at ${newPod(failovers)}).`;
      return {
        figures: [
          {
            label: 'drain vs restart',
            ours: { what: '`kubectl drain` of the VM\'s node started → `kubectl berth ssh` reaches the new boot on the other node', summary: summarize(drainS), unit: 's' },
            baseline: restartSide,
            value: drainValue,
            unit: 'x',
            target: DRAIN_TARGET,
            met: meetsTarget(drainValue, DRAIN_TARGET),
            ifMissed: `${breakdown} A drain pays what a restart pays (the ACPI power-down within --shutdown-timeout, the new pod, the guest's boot) plus kubectl's eviction loop, which polls every 5 s until the pod is gone.`,
          },
          {
            label: 'failover vs restart',
            ours: { what: 'the VM\'s node stopped → NotReady → `kubectl delete node` → `kubectl berth ssh` reaches the new boot on the other node', summary: summarize(failoverS), unit: 's' },
            baseline: restartSide,
            value: failoverValue,
            unit: 'x',
            target: FAILOVER_TARGET,
            met: meetsTarget(failoverValue, FAILOVER_TARGET),
            ifMissed:
              `${breakdown} Two waits of Kubernetes' make up most of a failover, and berth has no say in either. (1) The node controller calls a node NotReady only after ` +
              '--node-monitor-grace-period (50 s by default) without a heartbeat; only then may the user confirm the node gone. (2) Once the Node is deleted, its pod is removed ' +
              'by the pod garbage collector, which leaves an orphaned pod 40 s in quarantine in case its node comes back and runs every 20 s; the StatefulSet makes the new pod ' +
              'only after that. Force-deleting the pod instead (`kubectl delete pod NAME-0 --force --grace-period=0`, README) skips the second wait; a shorter grace period ' +
              '(kube-controller-manager) shortens the first, at the price of calling a slow node lost. The rest, the new pod to the first ssh, is what a restart also pays.',
          },
        ],
        notes: [
          `One VM (the tiny test guest, TCG, the default size, --shutdown-timeout 60s) on ${SHARED_STORAGE_CLASS} storage, pinned to ${nodeB} and ${nodeC}, the image cached on both; the three sides run interleaved on it, so each move starts from where the last left it.`,
          breakdown,
          'The failover side confirms the node gone as soon as it reads NotReady; a person would take longer. Kubernetes would not move the VM by itself (README: When a VM\'s node is drained or lost).',
        ],
      };
    } finally {
      await kubectl('berth', 'purge', VM, '-n', NAMESPACE, '--delete-disks', '--yes').catch(() => undefined);
      await kubectl('delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false').catch(() => undefined);
      await kubectl('berth', 'images', 'rm', IMAGE, '--ignore-not-found').catch(() => undefined);
      await nodesSh('rm').catch((error: Error) => ctx.log(`nodes.sh rm failed: ${error.message}`));
      await server.stop();
    }
  },
};
