// resize on the real cluster with the test guest: vCPUs and memory added to the running guest
// (nproc and MemTotal change while /proc/uptime keeps counting, the pod keeps its UID), a shrink
// refused with the way to do it, and --restart applying it with a graceful restart.
//
// The test guest (busybox /init, no udev) does not online hot-added CPUs and memory by itself, and
// Debian's kernel leaves added memory offline (CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE unset): the test
// onlines them over ssh, as the udev rule the README gives a user's guest does. Doing it in the
// test keeps the shared test guest image (which every end-to-end test boots) unchanged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Labels, SYSTEM_NAMESPACE } from '../../shared/contract.js';
import { kubectlJson, kubectlOut, LOCAL_INSTALL_FLAGS, NODE_NAME, requireCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { ImageServer } from '../support/image-server.js';
import { berth, berthOk } from '../support/plugin.js';
import { chainOfSteps } from '../support/steps.js';
import { catalogTestGuest, guestShell } from './test-guest.js';

const NAMESPACE = 't-e2e-resize';
const VM = 'grow';
const IMAGE = 'e2e-resize-guest';

/** What the udev rule of a guest does: every offline CPU and memory block online. */
const ONLINE_ALL = 'for f in /sys/devices/system/cpu/cpu*/online /sys/devices/system/memory/memory*/online; do [ "$(cat $f)" = 0 ] && echo 1 > $f; done; true';

interface GuestView { nproc: number; memTotalKiB: number; uptime: number }

describe('end to end: resize a running VM in place, refuse a shrink, apply it with --restart', function () {
  this.timeout(900_000);
  const server = new ImageServer('0.0.0.0');
  const keyDir = mkdtempSync(join(tmpdir(), 't-e2e-resize-'));
  const key = join(keyDir, 'id_ed25519');
  const { step } = chainOfSteps();
  const ssh = (command: string) => guestShell(NAMESPACE, key)(VM, command);
  const guest = async (): Promise<GuestView> => {
    const out = (await ssh('nproc; grep MemTotal /proc/meminfo; cut -d" " -f1 /proc/uptime')).stdout.trim().split('\n');
    return { nproc: Number(out[0]), memTotalKiB: Number(out[1]!.match(/(\d+)/)![1]), uptime: Number(out[2]) };
  };
  const podUid = async () => (await kubectlOut(['get', 'pod', `${VM}-0`, '-n', NAMESPACE, '-o', 'jsonpath={.metadata.uid}'])).trim();
  let booted: GuestView;
  let roomCpus = 0;
  let uid = '';

  before(async () => {
    await requireCluster();
    const installed = (await kubectlOut(['get', 'daemonset', '-n', SYSTEM_NAMESPACE, '-o', 'name']).catch(() => '')).trim();
    if (!installed) await berthOk(['install', ...LOCAL_INSTALL_FLAGS, '--timeout', '4m'], { timeoutMs: 300_000 });
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-e2e-resize', '-f', key]);
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true'], { timeoutMs: 180_000 });
    await kubectlOut(['create', 'namespace', NAMESPACE]);
    await catalogTestGuest(server, IMAGE);
  });

  after(async () => {
    await server.stop();
    rmSync(keyDir, { recursive: true, force: true });
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    await berth(['images', 'rm', IMAGE, '--ignore-not-found']);
  });

  // On the cluster's own node: other tests may add nodes, and a launcher image under test
  // (BERTH_IMAGE) is imported there only.
  step('create --cpus 1 --memory 256Mi: QEMU starts with room for 4x, within what the node has (its CPUs)', async () => {
    await berthOk(['create', VM, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--cpus', '1', '--memory', '256Mi', '--node-selector', `kubernetes.io/hostname=${NODE_NAME}`, '--ssh-key', `${key}.pub`, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
    // The only node the VM may run on is the cluster's own; its memory is far above 4x 256Mi.
    const nodeCpus = Number((await kubectlOut(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.capacity.cpu}'])).trim());
    roomCpus = Math.min(4, nodeCpus);
    const log = await kubectlOut(['logs', `${VM}-0`, '-n', NAMESPACE, '-c', 'vm']);
    assert.match(log, new RegExp(`-smp 1,maxcpus=${roomCpus} -m 256M,slots=16,maxmem=1024M`), `room for min(4, ${nodeCpus} node CPUs) vCPUs`);
    booted = await guest();
    assert.equal(booted.nproc, 1);
    uid = await podUid();
  });

  step('resize --cpus 2 --memory 512Mi: in place, and the guest has 2 vCPUs and 256 MiB more while it keeps running', async () => {
    const r = await berthOk(['resize', VM, '-n', NAMESPACE, '--cpus', '2', '--memory', '512Mi'], { timeoutMs: 360_000 });
    assert.match(r.stdout, /vm\/grow resized to 2 vCPUs and 512Mi in place/);
    assert.match(r.stderr, /the launcher is adding the vCPUs and memory|the kubelet is applying/);
    assert.equal(await podUid(), uid, 'the pod was not recreated');
    const pod = await kubectlJson<{ status: { containerStatuses: { name: string; resources: { requests: Record<string, string> } }[] } }>(['get', 'pod', `${VM}-0`, '-n', NAMESPACE, '-o', 'json']);
    assert.equal(pod.status.containerStatuses.find((c) => c.name === 'vm')!.resources.requests.cpu, '200m');
    const after = await eventually('the guest to see 2 vCPUs and the added memory', 180_000, async () => {
      await ssh(ONLINE_ALL);
      const now = await guest();
      return now.nproc === 2 && now.memTotalKiB >= booted.memTotalKiB + 250 * 1024 ? now : undefined;
    }, { intervalMs: 2000 });
    assert.ok(after.uptime > booted.uptime, `uptime went on counting (${booted.uptime} s, then ${after.uptime} s): no reboot`);
    const sts = await kubectlJson<{ spec: { updateStrategy: { type: string }; template: { metadata: { annotations: Record<string, string> } } } }>(['get', 'statefulset', VM, '-n', NAMESPACE, '-o', 'json']);
    assert.equal(sts.spec.template.metadata.annotations['berth.dev/cpus'], '2', 'the next start boots with the new size');
    assert.equal(sts.spec.updateStrategy.type, 'OnDelete');
  });

  step('resize --memory 256Mi: a shrink is refused with the --restart that applies it, and nothing changes', async () => {
    const r = await berth(['resize', VM, '-n', NAMESPACE, '--memory', '256Mi']);
    assert.equal(r.exitCode, 4, r.stderr);
    assert.match(r.message, /without a restart: less memory/);
    assert.match(r.message, /kubectl berth resize grow --cpus 2 --memory 256Mi --restart/);
    assert.equal(await podUid(), uid);
  });

  step('resize beyond the room QEMU was started with is refused the same way, nothing changed', async () => {
    const r = await berth(['resize', VM, '-n', NAMESPACE, '--cpus', String(roomCpus + 1)]);
    assert.equal(r.exitCode, 4, r.stderr);
    assert.match(r.message, new RegExp(`${roomCpus + 1} vCPUs exceed the ${roomCpus} this VM was started with room for`));
    assert.match(r.message, new RegExp(`kubectl berth resize grow --cpus ${roomCpus + 1} --memory 512Mi --restart`));
    assert.equal(await podUid(), uid);
  });

  step('resize --cpus 1 --memory 256Mi --restart --wait: a new pod boots with the smaller size', async () => {
    await berthOk(['resize', VM, '-n', NAMESPACE, '--cpus', '1', '--memory', '256Mi', '--restart', '--wait', '--timeout', '5m'], { timeoutMs: 420_000 });
    assert.notEqual(await podUid(), uid, 'a new pod');
    const now = await guest();
    assert.equal(now.nproc, 1);
    assert.ok(now.memTotalKiB < booted.memTotalKiB + 100 * 1024, `MemTotal is back near the boot size (${now.memTotalKiB} KiB)`);
    const labels = await kubectlOut(['get', 'pod', `${VM}-0`, '-n', NAMESPACE, '-o', `jsonpath={.metadata.labels.${Labels.vm.replaceAll('.', '\\.')}}`]);
    assert.equal(labels.trim(), VM);
  });
});
