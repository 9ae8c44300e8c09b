// Issue 14's placement and moves on three real nodes (test/cluster/nodes.sh). First its test 1: the
// image is cached on one node only, because the other's disk for the cache is too small for it (the
// agent reports NoRoom), and the VM lands where the image is, though that node is the busier one.
// Then a VM on storage every node mounts (the berth-shared class, standing in for NFS or Ceph) keeps
// its disk through `images rm` and a drain of its node to the node that never had the image (the
// guest powers down cleanly; the launcher fetches the base from the URL the VM recorded), a drain
// back, and the loss of its node (stopped entirely; once the node is confirmed gone, as Kubernetes'
// rules for a StatefulSet demand, the VM comes up elsewhere). A file written in the guest before the
// first move is read back after each one.
// Placement is pinned to the two extra nodes by a label of this test's own, so the machine's own
// node never takes the VM and every move is between nodes; drains steer the moves.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Labels, SYSTEM_NAMESPACE, VM_CONTAINER } from '../../shared/contract.js';
import { berthCache, busyboxPod, extraNodeNames, kubectlOut, LOCAL_INSTALL_FLAGS, NODE_NAME, nodeAddress, requireCluster, SHARED_STORAGE_CLASS, withExtraNodes } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { chainOfSteps } from '../support/steps.js';
import { ImageServer } from '../support/image-server.js';
import { berth, berthOk } from '../support/plugin.js';
import { repo } from '../support/repo.js';
import { guestImage, guestSha256, guestShell } from './test-guest.js';

const NAMESPACE = 't-e2e-failover';
const VM = 'mover';
const IMAGE = 't-failover-guest';
const PIN = 't-failover.berth.dev/pool';
const MARKER = `berth-failover-${process.pid}`;
const NEIGHBOUR = 'neighbour';
const [nodeB, nodeC] = extraNodeNames(3);

describe('end to end: a VM moves between nodes with its disk (drain, images rm, node loss)', function () {
  this.timeout(900_000);
  const server = new ImageServer('0.0.0.0');
  const work = mkdtempSync(join(tmpdir(), 't-e2e-failover-'));
  const key = join(work, 'id_ed25519');

  const { step } = chainOfSteps();

  const ssh = (command: string) => guestShell(NAMESPACE, key)(VM, command);
  const vmPod = async () => JSON.parse(await kubectlOut(['get', 'pods', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'json'])).items[0];
  const kubectlEnv = { KUBECONFIG: join(berthCache(), 'cluster', 'kubeconfig') };

  /** The VM's pod once it is Ready on `node` (a pod other than `previousUid`). */
  async function readyOn(node: string, previousUid?: string): Promise<void> {
    await eventually(`the VM's pod Ready on ${node}`, 420_000, async () => {
      const pod = await vmPod();
      const ready = pod?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status === 'True';
      return pod && pod.metadata.uid !== previousUid && pod.spec.nodeName === node && ready ? pod : undefined;
    }, { intervalMs: 3000 });
  }

  async function markerSurvived(): Promise<void> {
    const r = await eventually('ssh into the moved VM', 240_000, async () => ssh('cat /data/failover-marker'), { intervalMs: 5000 });
    assert.equal(r.stdout.trim(), MARKER);
  }

  /** Drains `node` (its VM pod is evicted, so the launcher powers the guest down) and returns the evicted pod's log. */
  async function drain(node: string): Promise<string> {
    const pod = await vmPod();
    // The pod's log is gone once it is deleted: follow it while the drain runs.
    const follow = execa('kubectl', ['logs', '-f', '-n', NAMESPACE, pod.metadata.name, '-c', VM_CONTAINER, '--tail', '1'], { env: kubectlEnv, reject: false });
    // Not before the follow is attached (its first line is the log's last so far): on a loaded
    // machine kubectl takes seconds to start, and the drain would have begun the power-down.
    await Promise.race([new Promise((resolve) => follow.stdout!.once('data', resolve)), follow]);
    await kubectlOut(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout', '300s'], { timeoutMs: 330_000 });
    const log = await follow;
    return `${log.stdout}`;
  }

  after(async () => {
    await berth(['purge', VM, '-n', NAMESPACE, '--delete-disks', '--yes']).catch(() => undefined);
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    await berth(['images', 'rm', IMAGE, '--ignore-not-found']).catch(() => undefined);
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  before(async function () {
    this.timeout(300_000);
    await requireCluster();
    await execa('bash', [join(repo, 'test', 'guest', 'build.sh')], { stdio: 'inherit' });
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-e2e-failover', '-f', key]);
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true'], { timeoutMs: 180_000 });
    await kubectlOut(['create', 'namespace', NAMESPACE]);
    const installed = (await kubectlOut(['get', 'daemonset', '-n', SYSTEM_NAMESPACE, '-o', 'name']).catch(() => '')).trim();
    if (!installed) await berthOk(['install', ...LOCAL_INSTALL_FLAGS, '--timeout', '4m'], { timeoutMs: 300_000 });
  });

  // Registered after the hook above, so its `after` (the nodes go) runs after the VM is purged.
  // nodeC's disk for berth's image cache is 8 MiB: the agent keeps 20% of it free (install's
  // default --disk-reserve), so the 15 MiB test guest does not fit there.
  withExtraNodes(3, { cacheSize: { [nodeC]: '8m' } });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const args of [['get', 'pods', '-n', NAMESPACE, '-o', 'wide'], ['describe', 'pod', '-n', NAMESPACE, `${VM}-0`], ['logs', '-n', NAMESPACE, `${VM}-0`, '-c', VM_CONTAINER, '--tail', '40']]) {
      const out = await kubectlOut(args).catch((error: Error) => error.message);
      process.stderr.write(`\n--- kubectl ${args.join(' ')} ---\n${out}\n`);
    }
  });

  step(`the image is cached on ${nodeB} only (${nodeC} has no room for it): the VM lands on ${nodeB}, the busier node, and writes a file`, async () => {
    for (const node of [nodeB, nodeC]) await kubectlOut(['label', 'node', node, `${PIN}=${process.pid}`, '--overwrite']);
    server.serveFile('/guest.qcow2', guestImage);
    await server.start();
    // Served from the machine, at its node's address, which every node's pods reach. The catalog
    // gives the size, so an agent knows before downloading whether the image fits its cache.
    const url = `http://${await nodeAddress(NODE_NAME)}:${server.port}/guest.qcow2`;
    await berthOk(['images', 'add', IMAGE, '--url', url, '--sha256', guestSha256(), '--size', String(statSync(guestImage).size), '--force']);
    const states = await eventually(`${IMAGE} ready on ${nodeB} and NoRoom on ${nodeC}`, 240_000, async () => {
      const [row] = JSON.parse((await berthOk(['images', '-o', 'json'])).stdout).items.filter((r: { name: string }) => r.name === IMAGE) as { nodes: { node: string; state: string; error?: string }[] }[];
      const on = (node: string) => row?.nodes.find((n) => n.node === node);
      return on(nodeB)?.state === 'ready' && on(nodeC)?.state === 'no-room' ? { b: on(nodeB)!, c: on(nodeC)! } : undefined;
    }, { intervalMs: 3000 });
    // The reason is there for the user to read: `kubectl berth images -o wide`.
    assert.match(states.c.error ?? '', /does not fit the node's image cache budget/);
    const wide = (await berthOk(['images', '-o', 'wide'])).stdout;
    assert.match(wide, new RegExp(`^${IMAGE}\\s+NoRoom\\s.*${nodeB}=ready,.*${nodeC}=no-room`, 'm'));
    // A neighbour's workload makes nodeB the busier node, so the scheduler's spreading alone would
    // choose nodeC: only the preference for the node that caches the image puts the VM on nodeB.
    await kubectlOut(['apply', '-n', NAMESPACE, '-f', '-'], {
      input: JSON.stringify(busyboxPod(NEIGHBOUR, 'sleep 3600', { nodeSelector: { 'kubernetes.io/hostname': nodeB } }, { resources: { requests: { cpu: '250m', memory: '4Gi' } } })),
    });
    await kubectlOut(['wait', '-n', NAMESPACE, `pod/${NEIGHBOUR}`, '--for=condition=Ready', '--timeout=120s'], { timeoutMs: 130_000 });
    await berthOk(['create', VM, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--storage-class', SHARED_STORAGE_CLASS, '--node-selector', `${PIN}=${process.pid}`, '--shutdown-timeout', '60s', '--wait', '--timeout', '6m'], { timeoutMs: 420_000 });
    assert.equal((await vmPod()).spec.nodeName, nodeB);
    // A bare pod would stop the drain below.
    await kubectlOut(['delete', 'pod', '-n', NAMESPACE, NEIGHBOUR, '--wait=true'], { timeoutMs: 60_000 });
    await ssh(`echo ${MARKER} > /data/failover-marker && sync`);
  });

  step(`images rm of the VM's image, then kubectl drain ${nodeB}: the guest powers down cleanly, and the VM comes up on ${nodeC}, which never had the image, with its file`, async () => {
    await berthOk(['images', 'rm', IMAGE]);
    const before = (await vmPod()).metadata.uid;
    const log = await drain(nodeB);
    assert.match(log, /asking the guest to power down \(ACPI\)/);
    assert.match(log, /halted cleanly, powering off/, 'the guest shut down on the power button, not pulled');
    assert.doesNotMatch(log, /did not power off within/);
    await readyOn(nodeC, before);
    // Neither nodeC's cache nor the catalog has the base now: the launcher fetched it from the URL
    // the VM recorded, onto the pet volume.
    const started = await kubectlOut(['logs', '-n', NAMESPACE, (await vmPod()).metadata.name, '-c', VM_CONTAINER]);
    assert.match(started, /restored: the pet disk \S+ now sits on .* from http:/);
    await markerSurvived();
  });

  step(`kubectl drain ${nodeC}: the guest powers down cleanly, and the VM comes up back on ${nodeB} with its file`, async () => {
    await kubectlOut(['uncordon', nodeB]);
    const before = (await vmPod()).metadata.uid;
    const log = await drain(nodeC);
    assert.match(log, /halted cleanly, powering off/, 'the guest shut down on the power button, not pulled');
    await readyOn(nodeB, before);
    await markerSurvived();
  });

  step(`${nodeB} is lost (stopped entirely); once it is confirmed gone, the VM comes up on ${nodeC} with its file`, async () => {
    await kubectlOut(['uncordon', nodeC]);
    const before = (await vmPod()).metadata.uid;
    // The node's PID 1 takes its kubelet, containerd, the VM's QEMU and everything else with it,
    // like a machine losing power.
    const pid = readFileSync(join(berthCache(), 'cluster', 'nodes', nodeB, 'pid'), 'utf8').trim();
    process.kill(Number(pid), 'SIGKILL');
    await eventually(`${nodeB} NotReady`, 180_000, async () => {
      const node = JSON.parse(await kubectlOut(['get', 'node', nodeB, '-o', 'json']));
      return node.status.conditions.find((c: { type: string }) => c.type === 'Ready')?.status !== 'True' ? true : undefined;
    }, { intervalMs: 3000 });
    // A StatefulSet never starts a second pod while the first may still run on an unreachable node;
    // deleting the Node object says it is gone for good (README: Several nodes).
    await kubectlOut(['delete', 'node', nodeB, '--wait=true'], { timeoutMs: 120_000 });
    await readyOn(nodeC, before);
    await markerSurvived();
  });
});
