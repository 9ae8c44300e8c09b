import assert from 'node:assert/strict';
import {
  applyOrder,
  deleteOrder,
  imageRepository,
  installObjects,
  kustomizedImage,
  objectRef,
  parseKustomization,
  parseManifests,
  withAgentEnv,
  withBerthImage,
  type ManifestObject,
} from '../../../../src/install/manifest-set.js';
import { manifestsPrintable } from '../../../../src/install/print.js';
import { printable } from '../../../../src/output/print.js';
import { cacheBudgetEnv } from '../../../../src/ops/install-berth.js';
import { BERTH_IMAGE_DEFAULT, SYSTEM_NAMESPACE } from '../../../../shared/contract.js';

const daemonSetYaml = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: berth-agent}
spec:
  selector: {matchLabels: {app: berth-agent}}
  template:
    spec:
      initContainers: [{name: init, image: ${BERTH_IMAGE_DEFAULT}}]
      containers:
      - {name: agent, image: ${BERTH_IMAGE_DEFAULT}}
      - {name: sidecar, image: busybox:1.36}
`;

describe('install: the image cache budget flags', () => {
  it("become the agent container's environment, and only its", () => {
    const [ds] = withAgentEnv(parseManifests([{ name: 'ds.yaml', text: daemonSetYaml }]), cacheBudgetEnv({ diskReserve: '30%', cacheMax: ' 100Gi' }));
    const containers = (ds.spec as any).template.spec.containers;
    assert.deepEqual(containers[0].env, [{ name: 'BERTH_AGENT_DISK_RESERVE', value: '30%' }, { name: 'BERTH_AGENT_CACHE_MAX', value: '100Gi' }]);
    assert.equal(containers[1].env, undefined);
  });
  it('leave the manifests alone when not given', () => {
    const objects = parseManifests([{ name: 'ds.yaml', text: daemonSetYaml }]);
    assert.equal(withAgentEnv(objects, cacheBudgetEnv({})), objects);
  });
  it('are refused, naming the flag, before anything is applied', () => {
    assert.throws(() => cacheBudgetEnv({ diskReserve: '5GB' }), /--disk-reserve: '5GB' is not a Kubernetes quantity; did you mean 5Gi\?/);
    assert.throws(() => cacheBudgetEnv({ cacheMax: '20%' }), /--cache-max: '20%' is not a size/);
  });
});

describe('install manifests', () => {
  it('parses every document of every file in order and skips empty ones', () => {
    const objects = parseManifests([
      { name: 'a.yaml', text: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: berth-system}\n---\n' },
      { name: 'b.yaml', text: '---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n' },
    ]);
    assert.deepEqual(objects.map(objectRef), ['namespace/berth-system', 'serviceaccount/sa', 'configmap/cm']);
  });

  it('names the file of a document that is not a Kubernetes object', () => {
    assert.throws(() => parseManifests([{ name: 'bad.yaml', text: 'kind: ConfigMap\n' }]), /bad\.yaml: a document lacks apiVersion/);
  });

  it('reads resources and images from kustomization.yaml', () => {
    const k = parseKustomization('resources: [ns.yaml, agent.yaml]\nimages:\n- name: localhost/kubectl-berth\n  newName: reg.example/berth\n  newTag: "1.2"\n');
    assert.deepEqual(k.resources, ['ns.yaml', 'agent.yaml']);
    assert.equal(kustomizedImage(k.images[0]!), 'reg.example/berth:1.2');
  });

  it('refuses a kustomization without resources', () => {
    assert.throws(() => parseKustomization('images: []\n'), /lists no resources/);
  });

  it('takes the repository of an image reference with registry ports, tags and digests', () => {
    assert.equal(imageRepository('localhost/kubectl-berth:0.1.0'), 'localhost/kubectl-berth');
    assert.equal(imageRepository('reg.example:5000/team/berth'), 'reg.example:5000/team/berth');
    assert.equal(imageRepository('reg.example:5000/berth:1@sha256:abc'), 'reg.example:5000/berth');
  });

  it('points only the berth containers at the chosen image, leaving the input unchanged', () => {
    const objects = parseManifests([{ name: 'ds.yaml', text: daemonSetYaml }]);
    const [ds] = withBerthImage(objects, 'reg.example/berth:9');
    const spec = (ds!.spec as any).template.spec;
    assert.deepEqual(spec.containers.map((c: any) => c.image), ['reg.example/berth:9', 'busybox:1.36']);
    assert.equal(spec.initContainers[0].image, 'reg.example/berth:9');
    assert.equal((objects[0]!.spec as any).template.spec.containers[0].image, BERTH_IMAGE_DEFAULT);
  });

  it('also replaces images named by the kustomization images: entries', () => {
    const objects = parseManifests([{ name: 'ds.yaml', text: daemonSetYaml.replaceAll(BERTH_IMAGE_DEFAULT, 'kubectl-berth') }]);
    const [ds] = withBerthImage(objects, 'x/y:1', [{ name: 'kubectl-berth' }]);
    assert.equal((ds!.spec as any).template.spec.containers[0].image, 'x/y:1');
  });

  it('puts namespaced objects into berth-system but leaves cluster-scoped ones alone', () => {
    const objects = parseManifests([
      { name: 'r.yaml', text: 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: berth-agent}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: elsewhere}\n' },
    ]);
    const out = installObjects(objects, { resources: ['r.yaml'], images: [] }, 'i:1');
    assert.deepEqual(out.map((o) => o.metadata.namespace), [undefined, SYSTEM_NAMESPACE, 'elsewhere']);
  });

  it('creates dependencies first and deletes them last', () => {
    const o = (kind: string, name = kind.toLowerCase()): ManifestObject => ({ apiVersion: 'v1', kind, metadata: { name } });
    const objects = [o('DaemonSet'), o('ConfigMap'), o('ClusterRoleBinding'), o('Namespace'), o('ServiceAccount'), o('ClusterRole')];
    assert.deepEqual(applyOrder(objects).map((x) => x.kind), ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet']);
    assert.deepEqual(deleteOrder(objects).map((x) => x.kind), ['DaemonSet', 'ConfigMap', 'ClusterRoleBinding', 'ClusterRole', 'ServiceAccount', 'Namespace']);
  });

  it('names objects the way kubectl does', () => {
    assert.equal(objectRef({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'berth-agent' } }), 'daemonset.apps/berth-agent');
    assert.equal(objectRef({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } }), 'clusterrole.rbac.authorization.k8s.io/r');
  });
});

describe('manifestsPrintable', () => {
  const printManifests = (objects: ManifestObject[], output: string | undefined, dryRun = false) => printable(manifestsPrintable(objects, dryRun), output);
  const objects: ManifestObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'berth-system' } }];

  it('prints a List for yaml and json, as kubectl does for several objects', () => {
    assert.match(printManifests(objects, 'yaml'), /^apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n/);
    assert.deepEqual(JSON.parse(printManifests(objects, 'json')).items, objects);
  });

  it('prints kubectl names, marked when nothing was changed', () => {
    assert.equal(printManifests(objects, 'name', true), 'namespace/berth-system\n');
    assert.equal(printManifests(objects, undefined, true), 'namespace/berth-system (dry run)\n');
    assert.equal(printManifests(objects, undefined), '', 'a real run says what it did on stderr');
  });
});
