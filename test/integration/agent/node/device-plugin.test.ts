// The device plugin against the real kubelet: the agent registers devices.berth.dev/tun, the node
// advertises it, and a pod that requests it gets /dev/net/tun. The agent advertises 7 slots here
// (110 by default) so the node's allocatable count proves it is this process the kubelet listens to.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from '../../../support/agent-process.js';
import { freePort } from '../../../support/ports.js';
import { NODE_NAME, applyJson, kubectlJsonSync, kubectlSync, removeFakeNodeAndNamespace, requireCluster, uniqueSuffix } from '../../../support/cluster.js';
import { eventually } from '../../../support/eventually.js';

const PLUGIN_DIR = '/var/lib/kubelet/device-plugins';
const SLOTS = '7';

describe('device plugin with the real kubelet (agent process, local cluster)', function () {
  this.timeout(180_000);
  const suffix = uniqueSuffix();
  const ns = `t-agent-dp-${suffix}`;
  const fakeNode = `t-agent-dpnode-${suffix}`;
  const prefix = `berth-t-${suffix}`;
  let agent: AgentProcess;
  const allocatable = () => kubectlJsonSync(['get', 'node', NODE_NAME]).status.allocatable['devices.berth.dev/tun'];

  before(async () => {
    await requireCluster();
    if (!existsSync(join(PLUGIN_DIR, 'kubelet.sock'))) throw new Error(`${PLUGIN_DIR}/kubelet.sock is missing: is the kubelet running?`);
    kubectlSync(['create', 'namespace', ns]);
    // Node status goes to a fake Node so this agent leaves berth-node's labels to the installed one.
    applyJson({ apiVersion: 'v1', kind: 'Node', metadata: { name: fakeNode } });
    agent = new AgentProcess(
      ['--images', 'off', '--device-plugin-dir', PLUGIN_DIR, '--socket-prefix', prefix, '--device-slots', SLOTS, '--http', `127.0.0.1:${await freePort()}`, '--probe-interval', '1h'],
      { NODE_NAME: fakeNode },
    );
    agent.start();
  });

  after(async () => {
    await agent?.stop();
    await removeFakeNodeAndNamespace(ns, fakeNode);
    rmSync(join(PLUGIN_DIR, `${prefix}-tun.sock`), { force: true });
    // This agent took devices.berth.dev/tun over from the installed agent (if any), and the
    // kubelet does not tell the installed one. Removing its socket makes it register again, exactly
    // as after a kubelet restart; wait until the node advertises the resource again.
    const installed = join(PLUGIN_DIR, 'berth-tun.sock');
    if (existsSync(installed)) {
      rmSync(installed, { force: true });
      await eventually('the installed agent to register devices.berth.dev/tun again', 60_000, () => (Number(allocatable() ?? 0) > 0 && allocatable() !== SLOTS ? true : undefined));
    }
  });

  it('registers devices.berth.dev/tun and the node advertises its slots', async () => {
    await eventually(`allocatable devices.berth.dev/tun = ${SLOTS}`, 60_000, () => (allocatable() === SLOTS ? true : undefined), { describe: () => `allocatable ${allocatable()}; agent:\n${agent.tail()}` });
    assert.match(agent.log, /devices\.berth\.dev\/tun: registered with the kubelet \(7 slots of \/dev\/net\/tun\)/);
    assert.ok(existsSync(join(PLUGIN_DIR, `${prefix}-tun.sock`)));
  });

  it('gives /dev/net/tun to a pod that requests the resource', async () => {
    applyJson({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'wants-tun', namespace: ns },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'c', image: 'localhost/busybox:local', imagePullPolicy: 'Never', command: ['sleep', '3600'], resources: { limits: { 'devices.berth.dev/tun': '1' } } }],
      },
    });
    await eventually('pod wants-tun Running', 90_000, () => (kubectlJsonSync(['get', 'pod', 'wants-tun', '-n', ns]).status.phase === 'Running' ? true : undefined), { describe: () => kubectlSync(['describe', 'pod', 'wants-tun', '-n', ns]).slice(-1500) });
    const ls = kubectlSync(['exec', '-n', ns, 'wants-tun', '--', 'ls', '-l', '/dev/net/tun']);
    assert.match(ls, /^crw.* 10,\s+200 .*\/dev\/net\/tun$/m);
    assert.match(agent.log, /devices\.berth\.dev\/tun: allocating \/dev\/net\/tun to 1 container/);
  });

  it('serves and registers again when its socket disappears (what a kubelet restart does)', async () => {
    const registrations = () => agent.log.match(/devices\.berth\.dev\/tun: registered with the kubelet/g)?.length ?? 0;
    const before = registrations();
    rmSync(join(PLUGIN_DIR, `${prefix}-tun.sock`));
    await eventually('a new registration', 20_000, () => (registrations() > before ? true : undefined), { describe: () => agent.tail() });
    assert.ok(existsSync(join(PLUGIN_DIR, `${prefix}-tun.sock`)));
    await eventually(`allocatable back at ${SLOTS}`, 60_000, () => (allocatable() === SLOTS ? true : undefined));
  });
});
