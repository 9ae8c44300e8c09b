// A VM whose pod the cluster refuses after create (issue 13, "What users see"): a ResourceQuota of
// no pods arrives while the VM is stopped, so `start` makes the StatefulSet controller try a pod that
// admission refuses. --wait must stop at once with the quota named (exit 5) and ls must say Failed
// (FailedCreate) with the refusal; once the quota is gone, the VM leaves that state. The pod need
// never run: the VM may not be schedulable at all (--allow-unschedulable), only created.
import assert from 'node:assert/strict';
import { kubectl, kubectlOut } from '../../support/cluster.js';
import { eventually } from '../../support/eventually.js';
import { berth, createNamespace, DEAD_IMAGE, deleteNamespace, kube, requireCluster } from './fixture.js';

describe('a VM whose pod the cluster refuses (integration, local cluster)', function () {
  this.timeout(240_000);
  let ns: string;

  const podExists = async () => {
    const { core } = await kube();
    return core.readNamespacedPod({ name: 'capped-0', namespace: ns }).then(() => true, () => false);
  };

  before(async function () {
    this.timeout(120_000);
    await requireCluster();
    ns = await createNamespace('refused');
    const created = await berth(['create', 'capped', '-n', ns, '--image', DEAD_IMAGE, '--accel', 'tcg', '--memory', '128Mi', '--ephemeral', '--shutdown-timeout', '1s', '--allow-unschedulable']);
    assert.equal(created.exitCode, 0, created.stderr);
    const stopped = await berth(['stop', 'capped', '-n', ns]);
    assert.equal(stopped.exitCode, 0, stopped.stderr);
    await eventually('pod capped-0 gone', 90_000, async () => !(await podExists()));
    await kubectl(['create', 'quota', 'no-pods', '--hard=pods=0', '-n', ns]);
    // Until the quota controller has counted the namespace, admission refuses with "status unknown".
    await eventually('the quota to be counted', 30_000, async () => /pods\s+0\s+0/.test(await kubectlOut(['describe', 'quota', 'no-pods', '-n', ns])));
  });

  after(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it('start --wait stops at once with the refusal and the quota named (exit 5), not at its timeout', async () => {
    // A timeout far beyond the test's own: a wait that ran it out would fail this test by mocha's
    // timeout, and a TIMEOUT error would read differently; no timing is asserted.
    const run = await berth(['start', 'capped', '-n', ns, '--wait', '--timeout', '30m']);
    assert.equal(run.exitCode, 5, run.stderr);
    assert.equal(run.stdout, 'vm/capped started\n');
    assert.match(run.stderr, /capped: Failed \(FailedCreate\) — exceeded quota: no-pods/);
    assert.match(run.message, /Error: VM 'capped' cannot start: the cluster refuses its pod: exceeded quota: no-pods, requested: pods=1/);
    assert.match(run.message, new RegExp(`kubectl get resourcequota,limitrange -n ${ns}`));
    assert.match(run.message, new RegExp(`kubectl describe statefulset capped -n ${ns}`));
    assert.doesNotMatch(run.message, /describe pod|ClusterRole/, 'no pod to describe, and no permission is missing');
  });

  it('ls shows Failed with FailedCreate and the refusal: shortened in -o wide, whole in -o json', async () => {
    const wide = await berth(['ls', '-n', ns, '-o', 'wide', '--no-headers']);
    assert.equal(wide.exitCode, 0, wide.stderr);
    assert.match(wide.stdout, /^capped\s+Failed\s.*\sFailedCreate: exceeded quota: no-pods, requested: pods=1/);
    const json = await berth(['ls', '-n', ns, '-o', 'json']);
    const [vm] = JSON.parse(json.stdout).items;
    assert.equal(vm.status, 'Failed');
    assert.equal(vm.reason, 'FailedCreate');
    assert.match(vm.message, /^exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0$/);
  });

  it('once the quota is gone, the VM gets its pod and the refusal no longer shows', async () => {
    await kubectl(['delete', 'quota', 'no-pods', '-n', ns]);
    // The controller retries with back-off by itself; stop and start retry at once, as the hint says.
    assert.equal((await berth(['stop', 'capped', '-n', ns])).exitCode, 0);
    const started = await berth(['start', 'capped', '-n', ns]);
    assert.equal(started.exitCode, 0, started.stderr);
    await eventually('pod capped-0 created', 150_000, podExists);
    const ls = await berth(['ls', '-n', ns, '-o', 'json']);
    const [vm] = JSON.parse(ls.stdout).items;
    assert.notEqual(vm.reason, 'FailedCreate', ls.stdout);
    assert.equal(vm.message, undefined, ls.stdout);
  });
});
