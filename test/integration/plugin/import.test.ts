// import against the real local cluster, through the real bin/kubectl-berth, with Airship Berth's
// two published examples (test/fixtures/berth): a StorageClass the cluster lacks stops the whole
// import with nothing created; with the class overridden by a second values file, both VMs are
// created as create would make them.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Labels, LauncherEnv } from '../../../shared/contract.js';
import { STORAGE_CLASS } from '../../support/cluster.js';
import { repo } from '../../support/repo.js';
import { berth, createNamespace, deleteNamespace, kube, objectCounts, requireCluster, TEST_KEY } from './fixture.js';

const fixtures = join(repo, 'test', 'fixtures', 'berth');
const examples = [join(fixtures, 'cirros-test.yaml'), join(fixtures, 'demo-ub14-apache.yaml')];

describe('import (integration, local cluster)', function () {
  this.timeout(120_000);
  let ns: string;

  before(async function () {
    this.timeout(60_000);
    await requireCluster();
    ns = await createNamespace('import');
  });

  after(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it("a StorageClass the cluster lacks (the example's 'managed') stops the whole import: exit 3, nothing created", async () => {
    const before = await objectCounts(ns);
    const run = await berth(['import', ...examples, '-n', ns, '--ssh-key', TEST_KEY, '--accel', 'tcg', '--allow-unschedulable']);
    assert.equal(run.exitCode, 3, run.message);
    assert.match(run.message, /StorageClass 'managed' does not exist/);
    assert.equal(run.stdout, '');
    assert.deepEqual(await objectCounts(ns), before);
  });

  it('with the class overridden by a second values file, creates both VMs as create would', async () => {
    const override = join(mkdtempSync(join(tmpdir(), 't-import-')), 'override.yaml');
    writeFileSync(override, `vmlist:\n  demo-ub14-apache:\n    vmconfig:\n      rootfs:\n        pvc_class: ${STORAGE_CLASS}\n`);
    // The examples' images are on the internet, which this cluster cannot reach: the VMs are
    // created and their pods fail to download, which is all this test needs. Stopped at once, so
    // nothing keeps retrying.
    const run = await berth(['import', ...examples, override, '-n', ns, '--ssh-key', TEST_KEY, '--accel', 'tcg', '--allow-unschedulable']);
    assert.equal(run.exitCode, 0, run.message);
    assert.equal(run.stdout, 'vm/cirros-test created\nvm/demo-ub14-apache created\n');
    assert.match(run.stderr, /Note: cirros-test: vmconfig\.rootfs\.pvc_size 128Mi is below berth's smallest disk; the disk is 1Gi\./);
    for (const vm of ['cirros-test', 'demo-ub14-apache']) {
      const stop = await berth(['stop', vm, '-n', ns]);
      assert.equal(stop.exitCode, 0, stop.message);
    }
    const { apps, core } = await kube();
    const demo = await apps.readNamespacedStatefulSet({ name: 'demo-ub14-apache', namespace: ns });
    assert.equal(demo.metadata!.labels![Labels.vm], 'demo-ub14-apache');
    assert.equal(demo.metadata!.annotations![Annotations.vmImage], 'http://stupidest.org/vm/ubuntu-14.04-amd64.img');
    assert.equal(demo.spec!.volumeClaimTemplates![0].spec!.storageClassName, STORAGE_CLASS);
    // pvc_size is the disk's size; the claim holds it full, with the URL image's base copy beside it.
    const env = Object.fromEntries(demo.spec!.template.spec!.containers[0].env!.map((e) => [e.name, e.value]));
    assert.equal(env[LauncherEnv.diskSize], '5Gi');
    assert.match(demo.spec!.volumeClaimTemplates![0].spec!.resources!.requests!.storage!, /^\d+Mi$/);
    assert.equal(demo.spec!.template.spec!.containers[0].readinessProbe?.tcpSocket?.port, 22);
    const cirros = await apps.readNamespacedStatefulSet({ name: 'cirros-test', namespace: ns });
    assert.equal(cirros.spec!.template.spec!.containers[0].readinessProbe, undefined);
    const secret = await core.readNamespacedSecret({ name: 'demo-ub14-apache-cloudinit', namespace: ns });
    const userData = Buffer.from(secret.data!['user-data'], 'base64').toString();
    assert.match(userData, /apache2/);
    assert.ok(userData.includes(TEST_KEY), 'the SSH key is merged into the #cloud-config');
    const ls = await berth(['ls', '-n', ns, '-o', 'name']);
    assert.equal(ls.stdout, 'vm/cirros-test\nvm/demo-ub14-apache\n');
  });
});
