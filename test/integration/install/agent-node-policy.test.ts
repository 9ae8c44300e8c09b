// The policy install ships so that the node agent may change only its own Node
// (manifests/agent-node-policy.yaml), proven with real PATCH requests on the local cluster. The
// shipped policy and the agent's shipped ClusterRole are applied under names of the test's own and
// for a ServiceAccount of the test's own, whose token is bound to a pod running on the node, exactly
// as the agent's projected token is; a berth install on the shared cluster is never touched.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { BUSYBOX_IMAGE, createUniqueNamespace, deleteFakeNode, deleteNamespace, kubectl, NODE_NAME, requireCluster, tokenKubeconfig } from '../../support/cluster.js';
import { eventually } from '../../support/eventually.js';
import { repo } from '../../support/repo.js';

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

const manifests = join(repo, 'manifests');
const shipped = (file: string): Manifest[] =>
  parseAllDocuments(readFileSync(join(manifests, file), 'utf8')).map((d) => d.toJS() as Manifest);

describe('the agent may change only its own Node (ValidatingAdmissionPolicy), on the local cluster', function () {
  this.timeout(120_000);
  const suffix = randomBytes(3).toString('hex');
  const name = `t-agent-policy-${suffix}`;
  const otherNode = `t-agent-policy-node-${suffix}`;
  const files = mkdtempSync(join(tmpdir(), 't-agent-policy-'));
  let ns = '';
  let created: Manifest[] = [];
  /** kubectl as the test's agent stand-in, with a token bound to its pod on the node. */
  let asAgent: (args: string[]) => Promise<{ exitCode: number; stderr: string }>;
  /** kubectl as the same account with a token bound to nothing: it carries no node name. */
  let asUnbound: (args: string[]) => Promise<{ exitCode: number; stderr: string }>;

  before(async function () {
    this.timeout(180_000);
    await requireCluster();
    ns = await createUniqueNamespace('agent-policy');
    const [policy, binding] = shipped('agent-node-policy.yaml');
    assert.ok(policy?.kind === 'ValidatingAdmissionPolicy' && binding?.kind === 'ValidatingAdmissionPolicyBinding', 'the policy and its binding are shipped');
    const spec = policy.spec as { matchConditions: { name: string; expression: string }[] };
    const [condition] = spec.matchConditions;
    assert.ok(condition?.expression.includes("'system:serviceaccount:berth-system:berth-agent'"), 'the shipped policy is for the agent account');
    condition.expression = condition.expression.replace('system:serviceaccount:berth-system:berth-agent', `system:serviceaccount:${ns}:${name}`);
    policy.metadata.name = name;
    binding.metadata.name = name;
    (binding.spec as { policyName: string }).policyName = name;
    const agentRole = shipped('rbac.yaml').find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'berth-agent');
    assert.ok(agentRole, "the agent's ClusterRole is shipped");
    agentRole.metadata.name = name;
    const roleBinding: Manifest = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    };
    created = [policy, binding, agentRole, roleBinding];
    await kubectl(['-n', ns, 'create', 'serviceaccount', name]);
    await kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: created }) });
    await kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: otherNode, labels: { [`${name}`]: 'fake' } } }),
    });
    await kubectl(['-n', ns, 'apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: {
          serviceAccountName: name,
          nodeName: NODE_NAME,
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'main', image: BUSYBOX_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '3600'] }],
        },
      }),
    });
    await kubectl(['-n', ns, 'wait', '--for=condition=Ready', `pod/${name}`, '--timeout=90s'], { timeoutMs: 100_000 });
    const bound = (await kubectl(['-n', ns, 'create', 'token', name, '--bound-object-kind=Pod', `--bound-object-name=${name}`])).stdout.trim();
    const unbound = (await kubectl(['-n', ns, 'create', 'token', name])).stdout.trim();
    await tokenKubeconfig(ns, name, bound, join(files, 'bound'));
    await tokenKubeconfig(ns, name, unbound, join(files, 'unbound'));
    const as = (config: string) => async (args: string[]) => {
      const { execa } = await import('execa');
      const result = await execa('kubectl', args, { reject: false, env: { KUBECONFIG: join(files, config) } });
      return { exitCode: result.exitCode ?? -1, stderr: String(result.stderr) };
    };
    asAgent = as('bound');
    asUnbound = as('unbound');
    // A new policy takes a moment to reach the API server's admission: wait until it denies.
    await eventually('the policy to deny a foreign label', 30_000, async () => (await asAgent(['label', 'node', NODE_NAME, `${name}-warmup=1`])).exitCode !== 0);
  });

  after(async function () {
    this.timeout(60_000);
    for (const object of created) await kubectl(['delete', object.kind, object.metadata.name, '--ignore-not-found']);
    await deleteFakeNode(otherNode);
    await kubectl(['label', 'node', NODE_NAME, `berth.dev/${name}-`, `${name}-probe-`, `${name}-warmup-`], { allowFailure: true });
    await kubectl(['annotate', 'node', NODE_NAME, `berth.dev/${name}-`, `${name}-probe-`], { allowFailure: true });
    if (ns) await deleteNamespace(ns);
  });

  const denied = (result: { exitCode: number; stderr: string }, because: RegExp) => {
    assert.notEqual(result.exitCode, 0, 'the request was allowed');
    assert.match(result.stderr, because);
  };

  it('lets it set and remove berth.dev labels and annotations on its own node', async () => {
    for (const args of [
      ['label', 'node', NODE_NAME, `berth.dev/${name}=1`, '--overwrite'],
      ['label', 'node', NODE_NAME, `image.berth.dev/${name}=ready`, '--overwrite'],
      ['label', 'node', NODE_NAME, `image.berth.dev/${name}-`],
      ['annotate', 'node', NODE_NAME, `berth.dev/${name}=x`, '--overwrite'],
    ]) {
      const result = await asAgent(args);
      assert.equal(result.exitCode, 0, `${args.join(' ')}: ${result.stderr}`);
    }
  });

  it('refuses any change to another node, even of a berth.dev label', async () => {
    denied(await asAgent(['label', 'node', otherNode, 'berth.dev/kvm=true']), /may change only the node it runs on/);
  });

  it('refuses labels, annotations and spec that are not berth.dev on its own node', async () => {
    denied(await asAgent(['label', 'node', NODE_NAME, `${name}-probe=1`]), /only berth.dev labels/);
    denied(await asAgent(['label', 'node', NODE_NAME, 'kubernetes.io/hostname-']), /only berth.dev labels/);
    denied(await asAgent(['annotate', 'node', NODE_NAME, `${name}-probe=1`]), /only berth.dev annotations/);
    denied(await asAgent(['taint', 'node', NODE_NAME, `${name}=x:NoSchedule`]), /may not change a node's spec/);
  });

  it('refuses a token that is bound to no pod (it names no node)', async () => {
    denied(await asUnbound(['label', 'node', NODE_NAME, `berth.dev/${name}=2`, '--overwrite']), /may change only the node it runs on/);
  });

  it("reads no pod anywhere, not even its own node's (the node tells it which pods hold its devices)", async () => {
    denied(await asAgent(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${NODE_NAME}`]), /forbidden/);
    denied(await asAgent(['-n', ns, 'get', 'pod', name]), /forbidden/);
    // What it does read still works: the VM StatefulSets (the bases their disks need).
    assert.equal((await asAgent(['get', 'statefulsets', '-A', '-l', 'berth.dev/vm'])).exitCode, 0);
  });
});
