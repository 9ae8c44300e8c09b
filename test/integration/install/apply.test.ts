// install/uninstall's cluster side against the real local apiserver, on objects of its own (a
// namespace t-install-…, and a fake Node), so the shared berth-system install is never touched.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect, type Connection } from '../../../src/kube/connect.js';
import { kubeApis, type KubeApis } from '../../../src/kube/vm-objects.js';
import { applyObjects, deleteObjects, objectExists } from '../../../src/install/apply.js';
import { clearNodeLabels, takeInventory } from '../../../src/install/cleanup.js';
import { loadManifests, packageManifestsDir } from '../../../src/install/manifest-files.js';
import { berthImagesIn, installImage, installObjects, objectRef, parseManifests, type ManifestObject } from '../../../src/install/manifest-set.js';
import { Annotations, Catalog, Labels } from '../../../shared/contract.js';
import { clusterKubeconfig, kubectlSync } from '../../support/cluster.js';
import { eventually } from '../../support/eventually.js';

const kubeconfig = clusterKubeconfig();
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const NS = `t-install-${suffix}`;
const NODE = `t-install-node-${suffix}`;

describe('install and uninstall on the local cluster', function () {
  this.timeout(120_000);
  let conn: Connection;
  let apis: KubeApis;
  const lines: string[] = [];
  const progress = (line: string) => lines.push(line);
  const objects = (extra: Record<string, string> = {}): ManifestObject[] => [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS }, data: { a: '1', ...extra } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: Catalog.configMap, namespace: NS }, data: {} },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  ];

  before(async () => {
    if (!existsSync(kubeconfig)) throw new Error(`no local cluster: ${kubeconfig} is missing; run test/setup/prepare.sh`);
    conn = await connect({ kubeconfig });
    apis = await kubeApis(conn);
  });

  after(() => {
    for (const args of [['delete', 'namespace', NS, '--ignore-not-found', '--wait=false'], ['delete', 'node', NODE, '--ignore-not-found']]) {
      try {
        kubectlSync(args);
      } catch {
        // best effort
      }
    }
  });

  it('kubectl apply -k manifests/ renders exactly the objects install applies, running the same image', async () => {
    // kubectl's own kustomize, the one `apply -k` runs, on the shipped directory.
    const rendered = parseManifests([{ name: 'kustomize', text: kubectlSync(['kustomize', packageManifestsDir()]) }]);
    const { objects, kustomization } = await loadManifests();
    const installed = installObjects(objects, kustomization, installImage(undefined, {}, kustomization));
    assert.deepEqual(rendered.map(objectRef).sort(), installed.map(objectRef).sort());
    assert.deepEqual(berthImagesIn(rendered), berthImagesIn(installed));
    // The same namespace for each object: kustomize's (which knows what is cluster-scoped) and install's.
    const namespaceOf = (list: ManifestObject[]) => Object.fromEntries(list.map((o) => [objectRef(o), o.metadata.namespace ?? '<cluster>']));
    assert.deepEqual(namespaceOf(installed), namespaceOf(rendered));
    assert.ok(rendered.some((o) => o.metadata.namespace), 'kustomize put the namespaced objects in a namespace');
  });

  it('creates in dependency order, then reports unchanged, configured, and keeps a filled catalog', async () => {
    const first = await applyObjects(conn, objects(), progress);
    assert.deepEqual(first.map((r) => `${r.ref} ${r.action}`), [`namespace/${NS} created`, 'configmap/settings created', `configmap/${Catalog.configMap} created`]);

    // The first apply after an apply-create still changes the namespace (a new resourceVersion,
    // seen from v1.20 to v1.37); from then on an identical apply changes nothing.
    await applyObjects(conn, objects(), progress);
    kubectlSync(['patch', 'configmap', Catalog.configMap, '-n', NS, '--type=merge', '-p', '{"data":{"tiny":"{}"}}']);
    const again = await applyObjects(conn, objects({ b: '2' }), progress);
    assert.deepEqual(again.map((r) => r.action), ['unchanged', 'configured', 'kept']);
    assert.equal(kubectlSync(['get', 'configmap', Catalog.configMap, '-n', NS, '-o', 'jsonpath={.data.tiny}']), '{}');
    assert.equal(kubectlSync(['get', 'configmap', 'settings', '-n', NS, '-o', 'jsonpath={.data.b}']), '2');
  });

  it('deletes what it applied, the namespace last, and says when something is already gone', async () => {
    const deleted = await deleteObjects(conn, objects(), progress);
    assert.deepEqual(deleted.map((r) => r.ref), ['configmap/berth-images', 'configmap/settings', `namespace/${NS}`]);
    assert.ok(deleted.every((r) => r.action === 'deleted'));
    const namespace = objects().find((o) => o.kind === 'Namespace')!;
    // The assertion below says what is wrong if it never goes.
    await eventually(`namespace ${NS} to be gone`, 60_000, async () => !(await objectExists(conn, namespace)), { intervalMs: 1000 }).catch(() => undefined);
    assert.equal(await objectExists(conn, namespace), false, 'the namespace is still there after 60s');
    const twice = await deleteObjects(conn, objects(), progress);
    assert.ok(twice.every((r) => r.action === 'absent'));
  });

  it('removes every berth label and annotation from a node and leaves the others', async () => {
    const labels = { [Labels.nodeReady]: 'true', [Labels.nodeKvm]: 'false', [`${Labels.nodeImagePrefix}tiny`]: 'ready', 'team': 'infra' };
    const annotations = { [Annotations.nodeKvmReason]: 'test', 'note': 'kept' };
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels, annotations } };
    kubectlSync(['create', '-f', '-'], { input: JSON.stringify(node) });
    const stock = await takeInventory(conn, apis);
    assert.ok(stock.cachedImages.some((n) => n.node === NODE && n.images.includes('tiny')));
    const mine = new Map([[NODE, stock.cleanups.get(NODE)!]]);
    await clearNodeLabels(conn, apis, mine, progress);
    const after = JSON.parse(kubectlSync(['get', 'node', NODE, '-o', 'json'])).metadata;
    assert.deepEqual(Object.keys(after.labels).filter((k) => k.includes('berth.dev')), []);
    assert.equal(after.labels.team, 'infra');
    assert.equal(after.annotations[Annotations.nodeKvmReason], undefined);
    assert.equal(after.annotations.note, 'kept');
  });
});
