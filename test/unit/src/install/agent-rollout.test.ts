import assert from 'node:assert/strict';
import type { V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { agentRollout, describeNodes } from '../../../../src/install/agent-rollout.js';
import { Annotations, Labels } from '../../../../shared/contract.js';

function ds(status: Partial<NonNullable<V1DaemonSet['status']>>, generation = 1): V1DaemonSet {
  return { metadata: { name: 'berth-agent', generation }, status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, observedGeneration: 1, ...status } };
}
const pod = (node: string, waiting?: { reason: string; message?: string }): V1Pod => ({
  metadata: { name: `agent-${node}` },
  spec: { nodeName: node, containers: [] },
  status: waiting
    ? { conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'agent', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting } }] }
    : { conditions: [{ type: 'Ready', status: 'True' }] },
});
const node = (name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}, ready = 'True'): V1Node => ({
  metadata: { name, labels, annotations },
  status: { conditions: [{ type: 'Ready', status: ready }] },
});
const rolled = ds({ desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberReady: 1 });

describe('agentRollout', () => {
  it('is not done while the DaemonSet does not exist yet', () => {
    const r = agentRollout(undefined, [], []);
    assert.equal(r.done, false);
    assert.match(r.summary, /waiting for the agent DaemonSet/);
  });

  it('is not done while pods are ready but the agent has not labelled its node', () => {
    const r = agentRollout(rolled, [pod('n1')], [node('n1')]);
    assert.equal(r.done, false);
    assert.equal(r.summary, 'agents ready 1/1 (updated 1/1), nodes reported 0/1');
  });

  it('is done when every agent pod is ready and its node carries the node label', () => {
    const r = agentRollout(rolled, [pod('n1')], [node('n1', { [Labels.nodeReady]: 'true', [Labels.nodeKvm]: 'false' })]);
    assert.equal(r.done, true);
    assert.deepEqual(r.reports, [{ node: 'n1', ready: 'true', kvm: 'false', reason: undefined }]);
  });

  it('is not done while the controller has not seen the latest generation', () => {
    const stale = ds({ desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberReady: 1, observedGeneration: 1 }, 2);
    assert.equal(agentRollout(stale, [pod('n1')], [node('n1', { [Labels.nodeReady]: 'true' })]).done, false);
  });

  it('does not wait for an agent on a NotReady node, and says so', () => {
    const two = ds({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberReady: 1 });
    const r = agentRollout(two, [pod('n1'), pod('gone', { reason: 'ContainerCreating' })], [
      node('n1', { [Labels.nodeReady]: 'true' }),
      node('gone', {}, {}, 'Unknown'),
    ]);
    assert.equal(r.done, true);
    assert.deepEqual(r.reports.map((x) => x.node), ['n1']);
    assert.match(r.summary, /not waiting for NotReady node\(s\) gone/);
  });

  it('is not done while an agent pod on a Ready node is not ready', () => {
    const r = agentRollout(rolled, [pod('n1', { reason: 'ContainerCreating' })], [node('n1', { [Labels.nodeReady]: 'true' })]);
    assert.equal(r.done, false);
    assert.match(r.summary, /^agents ready 0\/1/);
  });

  it('is not done when no node is scheduled to run the agent', () => {
    const r = agentRollout(ds({}), [], []);
    assert.equal(r.done, false);
    assert.match(r.summary, /no node is scheduled/);
  });

  it('reports pods stuck on a missing image, but not ordinary start-up', () => {
    const r = agentRollout(ds({ desiredNumberScheduled: 2 }), [
      pod('n1', { reason: 'ErrImageNeverPull', message: 'image not present' }),
      pod('n2', { reason: 'ContainerCreating' }),
    ], [node('n1'), node('n2')]);
    assert.deepEqual(r.problems, ['n1: ErrImageNeverPull (image not present)']);
  });

  it('describes what each node can do, with the agent\'s reason', () => {
    const lines = describeNodes([
      { node: 'a', ready: 'true', kvm: 'true' },
      { node: 'b', ready: 'true', kvm: 'false', reason: 'no /dev/kvm' },
      { node: 'c', ready: 'false', reason: 'qemu failed' },
    ]);
    assert.deepEqual(lines, [
      'node a: ready for VMs (KVM)',
      'node b: ready for VMs (TCG only, no usable KVM: no /dev/kvm)',
      'node c: cannot run VMs (qemu failed)',
    ]);
  });

  it('reads the reason from the node annotation', () => {
    const r = agentRollout(rolled, [pod('n1')], [node('n1', { [Labels.nodeReady]: 'true' }, { [Annotations.nodeKvmReason]: 'kvm-pvm' })]);
    assert.equal(r.reports[0]!.reason, 'kvm-pvm');
  });
});
