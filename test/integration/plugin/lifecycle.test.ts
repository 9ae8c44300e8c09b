// stop, start and purge against the real cluster, with a real PVC bound on the berth-test class.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Labels } from '../../../shared/contract.js';
import { eventually } from '../../support/eventually.js';
import { berth, createNamespace, DEAD_IMAGE, deleteNamespace, fakeHome, kube, objectCounts, requireCluster, withNodeLabels, withTunDevices } from './fixture.js';

describe('stop, start and purge (integration, local cluster)', function () {
  this.timeout(180_000);
  let ns: string;
  let restoreLabels: (() => Promise<void>) | undefined;
  let restoreTun: (() => Promise<void>) | undefined;
  const vm = ['--image', DEAD_IMAGE, '--accel', 'tcg', '--memory', '128Mi', '--shutdown-timeout', '1s'];

  async function pvc(name: string) {
    const { core } = await kube();
    return core.readNamespacedPersistentVolumeClaim({ name, namespace: ns }).catch(() => undefined);
  }

  async function replicas(name: string) {
    const { apps } = await kube();
    return (await apps.readNamespacedStatefulSet({ name, namespace: ns })).spec!.replicas;
  }

  async function podGone(name: string) {
    const { core } = await kube();
    return core.readNamespacedPod({ name: `${name}-0`, namespace: ns }).then(() => undefined, () => true);
  }

  before(async function () {
    this.timeout(120_000);
    await requireCluster();
    ns = await createNamespace('life');
    // The VM needs a node with the agent's label for TCG; keep whatever the agent set.
    restoreLabels = await withNodeLabels({ [Labels.nodeReady]: 'true' });
    restoreTun = await withTunDevices();
    const created = await berth(['create', 'pet', '-n', ns, ...vm, '--storage-class', 'berth-test', '--disk-size', '1Gi']);
    assert.equal(created.exitCode, 0, created.stderr);
    // WaitForFirstConsumer: the claim binds once the scheduler has placed the pod.
    await eventually('disk-pet-0 Bound', 90_000, async () => ((await pvc('disk-pet-0'))?.status?.phase === 'Bound' ? true : undefined));
  });

  after(async () => {
    await restoreLabels?.();
    await restoreTun?.();
    if (ns) await deleteNamespace(ns);
  });

  it('stop scales to 0, removes the pod and keeps the disk; stopping again is harmless', async () => {
    const run = await berth(['stop', 'pet', '-n', ns]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'vm/pet stopped\n');
    assert.equal(await replicas('pet'), 0);
    await eventually('pod pet-0 gone', 90_000, () => podGone('pet'));
    assert.equal((await pvc('disk-pet-0'))?.status?.phase, 'Bound');
    const ls = await berth(['ls', '-n', ns, '--no-headers']);
    assert.match(ls.stdout, /^pet\s+Stopped\s/);
    const again = await berth(['stop', 'pet', '-n', ns]);
    assert.equal(again.stdout, 'vm/pet already stopped\n');
    const named = await berth(['stop', 'pet', '-n', ns, '-o', 'name']);
    assert.equal(named.stdout, 'vm/pet\n', '-o name prints the name alone, for scripts');
  });

  it('start scales back to 1 and the pod comes back on the same disk', async () => {
    const uid = (await pvc('disk-pet-0'))!.metadata!.uid;
    const run = await berth(['start', 'pet', '-n', ns]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'vm/pet started\n');
    assert.equal(await replicas('pet'), 1);
    const { core } = await kube();
    const pod = await eventually('pod pet-0 back', 60_000, () => core.readNamespacedPod({ name: 'pet-0', namespace: ns }).catch(() => undefined));
    assert.equal(pod.spec!.volumes!.find((v) => v.name === 'disk')!.persistentVolumeClaim!.claimName, 'disk-pet-0');
    assert.equal((await pvc('disk-pet-0'))!.metadata!.uid, uid, 'the same claim, not a new one');
  });

  it('restart replaces the pod; the disk stays the same', async () => {
    const { core } = await kube();
    const old = await eventually('pod pet-0', 60_000, () => core.readNamespacedPod({ name: 'pet-0', namespace: ns }).catch(() => undefined));
    const run = await berth(['restart', 'pet', '-n', ns]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'vm/pet restarted\n');
    const fresh = await eventually('a new pod pet-0', 90_000, async () => {
      const p = await core.readNamespacedPod({ name: 'pet-0', namespace: ns }).catch(() => undefined);
      return p && p.metadata!.uid !== old.metadata!.uid ? p : undefined;
    });
    assert.equal(fresh.spec!.volumes!.find((v) => v.name === 'disk')!.persistentVolumeClaim!.claimName, 'disk-pet-0');
  });

  it('stop --wait returns once the pod is gone', async () => {
    const run = await berth(['stop', 'pet', '-n', ns, '--wait', '--timeout', '90s']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stderr, /pet: Stopped/);
    assert.equal(await podGone('pet'), true);
  });

  it('a VM that does not exist: exit 3 with a hint', async () => {
    for (const verb of ['stop', 'start', 'restart']) {
      const run = await berth([verb, 'nope', '-n', ns]);
      assert.equal(run.exitCode, 3);
      assert.match(run.message, new RegExp(`VM 'nope' not found in namespace '${ns}'.*Try this: \\* list your VMs with: kubectl berth ls -A`));
    }
  });

  it('purge without a terminal needs --yes and deletes nothing', async () => {
    const before = await objectCounts(ns);
    const run = await berth(['purge', 'pet', '-n', ns]);
    assert.equal(run.exitCode, 2);
    assert.match(run.message, /statefulset\/pet.*secret\/pet-cloudinit.*keeps the disk.*persistentvolumeclaim\/disk-pet-0.*pass --yes to confirm/);
    assert.deepEqual(await objectCounts(ns), before);
  });

  it('purge of several names where one does not exist deletes nothing (exit 3)', async () => {
    const before = await objectCounts(ns);
    const run = await berth(['purge', 'pet', 'nope', '-n', ns, '--yes']);
    assert.equal(run.exitCode, 3);
    assert.match(run.message, /VM 'nope' not found in namespace '.*'; nothing was deleted/);
    assert.deepEqual(await objectCounts(ns), before);
  });

  it('purge deletes the StatefulSet and Secret and keeps the disk; create then needs --reuse-disk', async () => {
    const run = await berth(['purge', 'pet', '-n', ns, '--yes']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'statefulset/pet deleted\nsecret/pet-cloudinit deleted\n');
    const { apps, core } = await kube();
    await assert.rejects(apps.readNamespacedStatefulSet({ name: 'pet', namespace: ns }));
    await assert.rejects(core.readNamespacedSecret({ name: 'pet-cloudinit', namespace: ns }));
    assert.equal((await pvc('disk-pet-0'))?.status?.phase, 'Bound', 'the disk is kept');
    const again = await berth(['create', 'pet', '-n', ns, ...vm]);
    assert.equal(again.exitCode, 4);
    assert.match(again.message, /a disk kept from an earlier VM 'pet' exists.*--reuse-disk/);
    // A larger disk on the old claim would fill it: refused before anything is created.
    const larger = await berth(['create', 'pet', '-n', ns, ...vm, '--reuse-disk', '--disk-size', '100Gi']);
    assert.equal(larger.exitCode, 2, larger.stderr);
    assert.match(larger.message, /--disk-size 100Gi is larger than the disk to reuse: PersistentVolumeClaim 'disk-pet-0' holds \d+[KMGT]i/);
    await assert.rejects(apps.readNamespacedStatefulSet({ name: 'pet', namespace: ns }));
    const reused = await berth(['create', 'pet', '-n', ns, ...vm, '--reuse-disk']);
    assert.equal(reused.exitCode, 0, reused.stderr);
  });

  it('create on a new disk and purge forget the VM\'s ssh host key; purge --delete-disks also deletes the PVC; purge --all takes every VM', async () => {
    // Host keys that kubectl berth ssh filed for this cluster (berth-local).
    const knownHosts = join(fakeHome, '.cache', 'kubectl-berth', 'known_hosts', 'berth-local');
    mkdirSync(dirname(knownHosts), { recursive: true });
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwn7eGq1mmbtaRMHEPt6t1G2cIW4rtAUPnKZ4jtJvNU';
    writeFileSync(knownHosts, `vm/pet.${ns} ${key}\nvm/other.${ns} ${key}\nvm/pet.elsewhere ${key}\n`);
    const second = await berth(['create', 'other', '-n', ns, ...vm, '--ephemeral']);
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(readFileSync(knownHosts, 'utf8'), `vm/pet.${ns} ${key}\nvm/pet.elsewhere ${key}\n`, 'a VM on a new disk is a new host');
    const run = await berth(['purge', '--all', '--delete-disks', '-n', ns, '--yes', '-o', 'name']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'statefulset/other\nsecret/other-cloudinit\nstatefulset/pet\nsecret/pet-cloudinit\npersistentvolumeclaim/disk-pet-0\n');
    assert.equal(readFileSync(knownHosts, 'utf8'), `vm/pet.elsewhere ${key}\n`, 'the purged VMs\' host keys are forgotten, others kept');
    await eventually('disk-pet-0 gone', 120_000, async () => ((await pvc('disk-pet-0')) ? undefined : true));
    const empty = await berth(['ls', '-n', ns]);
    assert.equal(empty.stdout, '');
  });
});
