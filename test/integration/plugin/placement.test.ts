// Issue 14's test 2 on three real nodes: a node whose agent reports TCG only never gets a KVM VM,
// and a node without the agent never gets any VM. berth-node-3 gets no berth image, so the agent's
// pod cannot start there (a node whose agent is broken or missing). Each VM is pinned to one node
// with --node-selector, so "never" is the scheduler's verdict on that node, not a matter of luck;
// the same pin with what the node does offer is scheduled, so the pin itself is not the reason.
// The VMs' image URL fails at once: placement is all this test is about.
import assert from 'node:assert/strict';
import { Labels, SYSTEM_NAMESPACE } from '../../../shared/contract.js';
import { NODE_NAME, extraNodeNames, kubectl, kubectlJson, withExtraNodes } from '../../support/cluster.js';
import { eventually } from '../../support/eventually.js';
import { skipLoudly } from '../../support/skip.js';
import { DEAD_IMAGE, berth, createNamespace, deleteNamespace, requireCluster } from './fixture.js';

interface Pod {
  spec: { nodeName?: string };
  status: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}
interface Node {
  metadata: { labels: Record<string, string> };
}

const [tcgNode, bareNode] = extraNodeNames(3);

describe('placement on three nodes (integration)', function () {
  this.timeout(180_000);
  let ns = '';
  before(async function () {
    await requireCluster(this);
    const agent = await kubectl(['-n', SYSTEM_NAMESPACE, 'get', 'daemonset', 'berth-agent'], { allowFailure: true });
    if (agent.exitCode !== 0) skipLoudly(this, 'berth is not installed on the cluster (kubectl berth install): no agent labels nodes');
  });
  withExtraNodes(3, { withoutAgent: [bareNode] });
  before(async function () {
    this.timeout(120_000);
    ns = await createNamespace('placement');
    // The agents of the machine's node and node B prove what their node runs; node C has none.
    for (const node of [NODE_NAME, tcgNode]) {
      await eventually(`${Labels.nodeReady}=true on ${node}`, 90_000, async () => {
        return (await kubectlJson<Node>(['get', 'node', node])).metadata.labels[Labels.nodeReady] === 'true';
      });
    }
  });
  after(async function () {
    this.timeout(60_000);
    if (ns) await deleteNamespace(ns);
  });

  /** Creates VM `name` pinned to `node` and returns its pod once the scheduler has decided. */
  async function vmOn(name: string, node: string, accel: 'kvm' | 'tcg'): Promise<Pod> {
    const created = await berth(['create', name, '-n', ns, '--image', DEAD_IMAGE, '--accel', accel, '--memory', '128Mi', '--ephemeral',
      '--shutdown-timeout', '1s', '--node-selector', `kubernetes.io/hostname=${node}`, '--allow-unschedulable']);
    assert.equal(created.exitCode, 0, created.stderr);
    return eventually(`the scheduler's verdict on ${name}-0`, 60_000, async () => {
      const pod = await kubectlJson<Pod>(['-n', ns, 'get', 'pod', `${name}-0`]);
      const scheduled = pod.status.conditions?.find((c) => c.type === 'PodScheduled');
      return scheduled && (scheduled.status === 'True' || scheduled.reason === 'Unschedulable') ? pod : undefined;
    });
  }

  it(`says ${tcgNode} runs TCG only, and ${bareNode}, without the agent, nothing`, async () => {
    const labels = (await kubectlJson<Node>(['get', 'node', tcgNode])).metadata.labels;
    assert.notEqual(labels[Labels.nodeKvm], 'true', `${tcgNode} has no working KVM here`);
    const bare = (await kubectlJson<Node>(['get', 'node', bareNode])).metadata.labels;
    assert.equal(bare[Labels.nodeReady], undefined);
    assert.equal(bare[Labels.nodeKvm], undefined);
  });

  it(`never puts a KVM VM on ${tcgNode}, whose agent reports TCG only; a TCG VM pinned there is scheduled`, async () => {
    const kvm = await vmOn('kvm-on-tcg', tcgNode, 'kvm');
    assert.equal(kvm.spec.nodeName, undefined);
    assert.match(kvm.status.conditions!.find((c) => c.type === 'PodScheduled')!.message!, /didn't match Pod's node affinity\/selector/);
    const tcg = await vmOn('tcg-on-tcg', tcgNode, 'tcg');
    assert.equal(tcg.spec.nodeName, tcgNode);
  });

  it(`never puts any VM on ${bareNode}, which has no agent`, async () => {
    for (const accel of ['tcg', 'kvm'] as const) {
      const pod = await vmOn(`${accel}-on-bare`, bareNode, accel);
      assert.equal(pod.spec.nodeName, undefined, `a ${accel} VM was placed on ${bareNode}`);
      assert.match(pod.status.conditions!.find((c) => c.type === 'PodScheduled')!.message!, /didn't match Pod's node affinity\/selector/);
    }
  });
});
