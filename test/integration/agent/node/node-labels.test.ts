// The agent process on the real node berth-node: the KVM labels, reason and version annotations
// appear as specified. The image cache is off here (--images off) so this agent does not fight the
// installed agent over berth-node's image annotation; images are covered on a fake node.
import assert from 'node:assert/strict';
import { Annotations, Labels } from '../../../../shared/contract.js';
import { AgentProcess, freePort } from '../../../support/agent-process.js';
import { eventually, kubectl, kubectlJson, NODE, requireCluster } from '../support/cluster.js';
import { kubectlPlugin } from '../support/plugin.js';

describe('node agent on berth-node: KVM labels and annotations (agent process, local cluster)', function () {
  this.timeout(60_000);
  let agent: AgentProcess;
  // What this agent writes, as the node had it: put back afterwards, value or absence, so that the
  // node looks the same to later tests whether an installed agent wrote it or no agent runs at all.
  let previous: { labels: Record<string, string | null>; annotations: Record<string, string | null> } | undefined;
  before(() => {
    requireCluster();
    const { labels = {}, annotations = {} } = kubectlJson(['get', 'node', NODE]).metadata;
    const pick = (from: Record<string, string>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, from[k] ?? null]));
    previous = { labels: pick(labels, [Labels.nodeKvm, Labels.nodeReady]), annotations: pick(annotations, [Annotations.nodeKvmReason, Annotations.nodeAgentVersion]) };
  });
  after(async () => {
    await agent?.stop();
    if (previous) kubectl(['patch', 'node', NODE, '--type=merge', '-p', JSON.stringify({ metadata: previous })]);
  });

  it('labels berth.dev/kvm=false and berth.dev/node=true with its reason and the agent version', async () => {
    // The installed agent writes the same labels; pointing this process at a device path of its own
    // makes its reason unmistakable, so what the test sees is this process's work. The installed
    // agent writes its own reason again at each of its resyncs; this one writes its reason every
    // second (--resync-interval), so the test sees it whenever the installed agent wrote last.
    const marker = `/dev/t-agent-no-kvm-${Date.now()}`;
    kubectl(['label', 'node', NODE, 'berth.dev/kvm-', 'berth.dev/node-']);
    agent = new AgentProcess(['--images', 'off', '--device-plugins', 'off', '--kvm-device', marker, '--http', `127.0.0.1:${await freePort()}`, '--status-interval', '500ms', '--resync-interval', '1s'], { NODE_NAME: NODE });
    agent.start();
    const meta = await eventually('this agent\'s labels on berth-node', 40_000, () => {
      const m = kubectlJson(['get', 'node', NODE]).metadata;
      return (m.annotations['berth.dev/kvm-reason'] ?? '').includes(marker) && m.labels['berth.dev/kvm'] !== undefined ? m : undefined;
    }, () => agent.tail());
    assert.equal(meta.labels['berth.dev/kvm'], 'false');
    assert.equal(meta.labels['berth.dev/node'], 'true');
    assert.equal(meta.annotations['berth.dev/kvm-reason'], `${marker} does not exist; TCG works`);
    assert.match(meta.annotations['berth.dev/agent-version'], /^\d+\.\d+\.\d+/);
    assert.match(agent.log, /image cache off/);
    assert.equal(await agent.stop('SIGTERM'), 0);
  });

  it('kubectl berth nodes shows the node as a TCG-only VM node with the reason', () => {
    const rows = JSON.parse(kubectlPlugin(['nodes', '-o', 'json'])).items as any[];
    const row = rows.find((r) => r.name === NODE);
    assert.deepEqual([row.vms, row.accel], ['yes', 'tcg']);
    assert.match(row.reason, /TCG works/);
    const table = kubectlPlugin(['nodes']);
    assert.match(table, /^NAME\s+VMS\s+ACCEL\s+REASON$/m);
    assert.match(table, new RegExp(`^${NODE}\\s+yes\\s+tcg only\\s+\\S.*TCG works$`, 'm'));
  });
});
