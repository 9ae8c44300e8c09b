// The agent process on the real node berth-node: the KVM labels, reason and version annotations
// appear as specified. The image cache is off here (--images off) so this agent does not fight the
// installed agent over berth-node's image annotation; images are covered on a fake node.
import assert from 'node:assert/strict';
import { Annotations, Labels } from '../../../../shared/contract.js';
import { AgentProcess } from '../../../support/agent-process.js';
import { freePort } from '../../../support/ports.js';
import { NODE_NAME, kubectlJsonSync, kubectlSync, requireCluster } from '../../../support/cluster.js';
import { eventually } from '../../../support/eventually.js';
import { berthOk } from '../../../support/plugin.js';

describe('node agent on berth-node: KVM labels and annotations (agent process, local cluster)', function () {
  this.timeout(60_000);
  let agent: AgentProcess;
  // What this agent writes, as the node had it: put back afterwards, value or absence, so that the
  // node looks the same to later tests whether an installed agent wrote it or no agent runs at all.
  let previous: { labels: Record<string, string | null>; annotations: Record<string, string | null> } | undefined;
  before(async () => {
    await requireCluster();
    const { labels = {}, annotations = {} } = kubectlJsonSync(['get', 'node', NODE_NAME]).metadata;
    const pick = (from: Record<string, string>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, from[k] ?? null]));
    previous = { labels: pick(labels, [Labels.nodeKvm, Labels.nodeReady]), annotations: pick(annotations, [Annotations.nodeKvmReason, Annotations.nodeAgentVersion]) };
  });
  after(async () => {
    await agent?.stop();
    if (previous) kubectlSync(['patch', 'node', NODE_NAME, '--type=merge', '-p', JSON.stringify({ metadata: previous })]);
  });

  it('labels berth.dev/kvm=false and berth.dev/node=true with its reason and the agent version', async () => {
    // The installed agent writes the same labels; pointing this process at a device path of its own
    // makes its reason unmistakable, so what the test sees is this process's work. The installed
    // agent writes its own reason again at each of its resyncs; this one writes its reason every
    // second (--resync-interval), so the test sees it whenever the installed agent wrote last.
    const marker = `/dev/t-agent-no-kvm-${Date.now()}`;
    kubectlSync(['label', 'node', NODE_NAME, 'berth.dev/kvm-', 'berth.dev/node-']);
    agent = new AgentProcess(['--images', 'off', '--device-plugins', 'off', '--kvm-device', marker, '--http', `127.0.0.1:${await freePort()}`, '--status-interval', '500ms', '--resync-interval', '1s'], { NODE_NAME: NODE_NAME });
    agent.start();
    const meta = await eventually('this agent\'s labels on berth-node', 40_000, () => {
      const m = kubectlJsonSync(['get', 'node', NODE_NAME]).metadata;
      return (m.annotations['berth.dev/kvm-reason'] ?? '').includes(marker) && m.labels['berth.dev/kvm'] !== undefined ? m : undefined;
    }, { describe: () => agent.tail() });
    assert.equal(meta.labels['berth.dev/kvm'], 'false');
    assert.equal(meta.labels['berth.dev/node'], 'true');
    assert.equal(meta.annotations['berth.dev/kvm-reason'], `${marker} does not exist; TCG works`);
    assert.match(meta.annotations['berth.dev/agent-version'], /^\d+\.\d+\.\d+/);
    assert.match(agent.log, /image cache off/);
    assert.equal(await agent.stop('SIGTERM'), 0);
  });

  it('kubectl berth nodes shows the node as a TCG-only VM node with the reason', async () => {
    const rows = JSON.parse((await berthOk(['nodes', '-o', 'json'])).stdout).items as any[];
    const row = rows.find((r) => r.name === NODE_NAME);
    assert.deepEqual([row.vms, row.accel], ['yes', 'tcg']);
    assert.match(row.reason, /TCG works/);
    const table = (await berthOk(['nodes'])).stdout;
    assert.match(table, /^NAME\s+VMS\s+ACCEL\s+REASON$/m);
    assert.match(table, new RegExp(`^${NODE_NAME}\\s+yes\\s+tcg only\\s+\\S.*TCG works$`, 'm'));
  });
});
