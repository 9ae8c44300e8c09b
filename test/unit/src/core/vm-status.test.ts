import assert from 'node:assert/strict';
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { baseFetchProgress, deriveVmState, guestPause, launcherFailure, mayFetchBase, type VmState } from '../../../../src/core/vm-status.js';

const sts = (replicas: number): V1StatefulSet => ({ spec: { replicas } as V1StatefulSet['spec'] });

function pod(phase: string, extra: { node?: string; ready?: boolean; scheduled?: [string, string]; waiting?: string; deleting?: boolean; reason?: string } = {}): V1Pod {
  const conditions = [];
  if (extra.scheduled) conditions.push({ type: 'PodScheduled', status: extra.scheduled[0], reason: extra.scheduled[1] });
  if (extra.ready !== undefined) conditions.push({ type: 'Ready', status: extra.ready ? 'True' : 'False' });
  return {
    metadata: extra.deleting ? { deletionTimestamp: new Date() } : {},
    spec: { nodeName: extra.node, containers: [] },
    status: {
      phase,
      reason: extra.reason,
      conditions,
      containerStatuses: extra.waiting ? [{ name: 'vm', ready: false, restartCount: 0, image: '', imageID: '', state: { waiting: { reason: extra.waiting } } }] : [],
    },
  } as V1Pod;
}

function crashed(restarts: number, message?: string): V1Pod {
  const p = pod('Running', { node: 'n', ready: false });
  p.status!.containerStatuses = [{
    name: 'vm', ready: false, restartCount: restarts, image: '', imageID: '',
    state: { terminated: { exitCode: 1, reason: 'Error', message } },
  }];
  return p;
}

describe('deriveVmState', () => {
  const table: [string, V1StatefulSet, V1Pod | undefined, VmState][] = [
    ['stopped: replicas 0, no pod', sts(0), undefined, { status: 'Stopped', reason: '' }],
    ['stopping: replicas 0, pod still there', sts(0), pod('Running', { node: 'n', ready: true }), { status: 'Stopping', reason: 'PoweringDown' }],
    ['restarting: pod being deleted', sts(1), pod('Running', { node: 'n', deleting: true }), { status: 'Stopping', reason: 'PoweringDown' }],
    ['no pod yet', sts(1), undefined, { status: 'Pending', reason: 'NoPod' }],
    ['unschedulable', sts(1), pod('Pending', { scheduled: ['False', 'Unschedulable'] }), { status: 'Pending', reason: 'Unschedulable' }],
    ['not yet scheduled', sts(1), pod('Pending'), { status: 'Pending', reason: 'Scheduling' }],
    ['scheduled, creating the container', sts(1), pod('Pending', { node: 'n', scheduled: ['True', ''], waiting: 'ContainerCreating' }), { status: 'Starting', reason: 'ContainerCreating' }],
    ['scheduled, no status yet', sts(1), pod('Pending', { node: 'n', scheduled: ['True', ''] }), { status: 'Starting', reason: 'ContainerCreating' }],
    ['image missing', sts(1), pod('Pending', { node: 'n', waiting: 'ErrImagePull' }), { status: 'Failed', reason: 'ErrImagePull' }],
    ['image pull back-off', sts(1), pod('Pending', { node: 'n', waiting: 'ImagePullBackOff' }), { status: 'Failed', reason: 'ImagePullBackOff' }],
    ['config error', sts(1), pod('Pending', { node: 'n', waiting: 'CreateContainerConfigError' }), { status: 'Failed', reason: 'CreateContainerConfigError' }],
    ['running, guest not answering yet', sts(1), pod('Running', { node: 'n', ready: false }), { status: 'Starting', reason: 'GuestBooting' }],
    ['running and ready', sts(1), pod('Running', { node: 'n', ready: true }), { status: 'Running', reason: '' }],
    ['launcher crash-looping', sts(1), pod('Running', { node: 'n', ready: false, waiting: 'CrashLoopBackOff' }), { status: 'Failed', reason: 'CrashLoopBackOff' }],
    ['pod failed (evicted)', sts(1), pod('Failed', { node: 'n', reason: 'Evicted' }), { status: 'Failed', reason: 'Evicted' }],
    ['pod failed without reason', sts(1), pod('Failed', { node: 'n' }), { status: 'Failed', reason: 'PodFailed' }],
    ['pod succeeded (guest powered off)', sts(1), pod('Succeeded', { node: 'n' }), { status: 'Stopped', reason: 'Exited' }],
    ['launcher just exited with an error', sts(1), crashed(1), { status: 'Failed', reason: 'Error' }],
    ['node lost', sts(1), pod('Unknown', { node: 'n' }), { status: 'Unknown', reason: 'NodeLost' }],
    ['replicas unset means 1', { spec: undefined } as V1StatefulSet, undefined, { status: 'Pending', reason: 'NoPod' }],
  ];
  for (const [title, s, p, expected] of table) {
    it(title, () => assert.deepEqual(deriveVmState(s, p), expected));
  }

  it('the StatefulSet cannot create its pod: Failed (FailedCreate), with why', () => {
    assert.deepEqual(deriveVmState(sts(1), undefined, 'exceeded quota: q'), { status: 'Failed', reason: 'FailedCreate', message: 'exceeded quota: q' });
    assert.deepEqual(deriveVmState(sts(0), undefined, 'exceeded quota: q'), { status: 'Stopped', reason: '' }, 'a stopped VM wants no pod');
  });

  it('a container stuck waiting carries the kubelet\'s message', () => {
    const p = pod('Pending', { node: 'n', waiting: 'CreateContainerConfigError' });
    p.status!.containerStatuses![0]!.state!.waiting!.message = 'secret "web-cloudinit" not found';
    assert.deepEqual(deriveVmState(sts(1), p), { status: 'Failed', reason: 'CreateContainerConfigError', message: 'secret "web-cloudinit" not found' });
  });
});

describe('the launcher fetching a base image', () => {
  const fetching = [
    'berth-launcher: start: VM ns/web: tcg, 1 CPU',
    "berth-launcher: base: the pet disk's base /var/lib/berth/images/a.qcow2 (sha256 a) is not on this node: restoring it onto the pet volume",
    'berth-launcher: base: downloaded 40.0 MiB of 120.0 MiB',
    '',
  ].join('\n');

  it('the last launcher line, when it is about the base, is the progress', () => {
    assert.equal(baseFetchProgress(fetching), 'downloaded 40.0 MiB of 120.0 MiB');
  });

  it('none once the launcher has moved on, and the guest\'s console lines are not the launcher\'s', () => {
    assert.equal(baseFetchProgress(`${fetching}berth-launcher: disk: reusing pet disk\n`), undefined);
    assert.equal(baseFetchProgress(`${fetching}berth-launcher: qemu: running\n[    0.1] base: kernel line\n`), undefined);
    assert.equal(baseFetchProgress(''), undefined);
  });

  it('a running, unanswered pod whose launcher fetches is Starting (FetchingBase) with the progress', () => {
    assert.deepEqual(deriveVmState(sts(1), pod('Running', { node: 'n', ready: false }), undefined, fetching), { status: 'Starting', reason: 'FetchingBase', message: 'downloaded 40.0 MiB of 120.0 MiB' });
    assert.deepEqual(deriveVmState(sts(1), pod('Running', { node: 'n', ready: false }), undefined, 'berth-launcher: qemu: running\n'), { status: 'Starting', reason: 'GuestBooting' });
    assert.deepEqual(deriveVmState(sts(1), pod('Running', { node: 'n', ready: true }), undefined, fetching), { status: 'Running', reason: '' }, 'a stale log does not outrank Ready');
  });

  it('the log is worth reading only while the container runs and the guest has not answered', () => {
    assert.equal(mayFetchBase(pod('Running', { node: 'n', ready: false })), true);
    assert.equal(mayFetchBase(pod('Running', { node: 'n', ready: true })), false);
    assert.equal(mayFetchBase(pod('Running', { node: 'n', ready: false, deleting: true })), false);
    assert.equal(mayFetchBase(pod('Pending', { node: 'n', waiting: 'ContainerCreating' })), false);
    assert.equal(mayFetchBase(pod('Running', { node: 'n', ready: false, waiting: 'CrashLoopBackOff' })), false);
    assert.equal(mayFetchBase(undefined), false);
  });
});

describe('launcherFailure', () => {
  it('reads the launcher\'s last error and hint from the termination message', () => {
    const message = 'berth-launcher: start: VM ns/web\nberth-launcher: error: cannot download the base image\nberth-launcher: hint: Check the URL.\nberth-launcher: stop: done\n';
    assert.deepEqual(launcherFailure(crashed(2, message)), { restarts: 2, exitCode: 1, error: 'cannot download the base image', hint: 'Check the URL.' });
  });

  it('gives the exit code alone when the log says nothing useful, and nothing for a healthy pod', () => {
    assert.deepEqual(launcherFailure(crashed(3)), { restarts: 3, exitCode: 1, error: undefined, hint: undefined });
    assert.equal(launcherFailure(pod('Running', { node: 'n', ready: true })), undefined);
    assert.equal(launcherFailure(undefined), undefined);
  });
});

describe('a guest QEMU paused on a disk error', () => {
  const hint = "hint: grow the VM's disk claim: kubectl patch pvc disk-web-0 -n ns -p '{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"20Gi\"}}}}'";
  const full = [
    'berth-launcher: qemu: running',
    "berth-launcher: disk: error: the guest is paused: the VM's disk volume is full (write on disk0: No space left on device)",
    `berth-launcher: disk: ${hint}`,
    '',
  ].join('\n');

  it('is Paused (DiskFull), with the reason and how to grow the disk', () => {
    const state = guestPause(full);
    assert.equal(state?.status, 'Paused');
    assert.equal(state?.reason, 'DiskFull');
    assert.match(state!.message!, /^the VM's disk volume is full \(write on disk0: No space left on device\); grow the VM's disk claim: kubectl patch pvc disk-web-0/);
    assert.deepEqual(deriveVmState(sts(1), pod('Running', { node: 'n', ready: false }), undefined, full), state);
  });

  it('is Paused (IOError) for any other disk error', () => {
    const other = "berth-launcher: disk: error: the guest is paused: an I/O error on disk0 (read: Input/output error)\nberth-launcher: disk: hint: check the volume\n";
    assert.equal(guestPause(other)?.reason, 'IOError');
  });

  it('is no longer paused once the launcher resumed it, and a Ready pod is Running whatever the log says', () => {
    assert.equal(guestPause(`${full}berth-launcher: disk: the volume has 40 MiB free again: the guest runs again\n`), undefined);
    assert.equal(guestPause('berth-launcher: qemu: running\n'), undefined);
    assert.deepEqual(deriveVmState(sts(1), pod('Running', { node: 'n', ready: true }), undefined, full), { status: 'Running', reason: '' });
  });
});
