// The whole chain on the local cluster, through the plugin only: install berth, put the test guest
// in the catalog, let the agent cache it, then create → ssh → vnc/console → ls → pod loss → purge.
// Each step needs the ones before it; when one fails, the later ones fail too, saying which step
// broke the chain (never a silent skip).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { imageLabelName } from '../../shared/catalog.js';
import { Labels, LabelValues, SYSTEM_NAMESPACE } from '../../shared/contract.js';
import { kubectlOut, nodeAddress, requireCluster, LOCAL_INSTALL_FLAGS } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { chainOfSteps } from '../support/steps.js';
import { ImageServer } from '../support/image-server.js';
import { berth, berthBackground, berthEnv, berthOk } from '../support/plugin.js';
import { vncBanner } from '../support/vnc.js';
import { guestImage, guestSha256, guestShell } from './test-guest.js';

const NAMESPACE = 't-e2e-chain';
const VM = 'demo';
const IMAGE = 'e2e-guest';
const MARKER = `berth-e2e-${process.pid}`;

describe('end to end: install, catalog, create, ssh, vnc, console, ls, pod loss, purge', function () {
  this.timeout(600_000);
  const server = new ImageServer('0.0.0.0');
  const keyDir = mkdtempSync(join(tmpdir(), 't-e2e-chain-'));
  const key = join(keyDir, 'id_ed25519');
  let node = '';

  // A probe (links: false) checks one access path; its failure fails it alone, not the steps after it.
  const steps = chainOfSteps();
  const { step } = steps;
  const probe = { links: false };

  const ssh = (command: string) => guestShell(NAMESPACE, key)(VM, command);

  before(async () => {
    await requireCluster();
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-e2e', '-f', key]);
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true'], { timeoutMs: 180_000 });
    await kubectlOut(['create', 'namespace', NAMESPACE]);
  });

  after(async () => {
    await server.stop();
    rmSync(keyDir, { recursive: true, force: true });
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    await berth(['images', 'rm', IMAGE, '--ignore-not-found']);
  });

  step('kubectl berth install: the agent DaemonSet runs and every node reports', async () => {
    const r = await berthOk(['install', ...LOCAL_INSTALL_FLAGS, '--timeout', '4m'], { timeoutMs: 300_000 });
    assert.match(r.stderr, /berth is installed: [1-9]\d* node\(s\) can run VMs/);
    // The DaemonSet's counts trail the cluster: after nodes were removed (a three-node test just
    // before), desiredNumberScheduled still counts them for a moment.
    await eventually('every scheduled agent pod ready', 60_000, async () => {
      const ds = JSON.parse(await kubectlOut(['get', 'daemonset', '-n', SYSTEM_NAMESPACE, '-o', 'json'])).items[0];
      return ds.status.desiredNumberScheduled > 0 && ds.status.numberReady === ds.status.desiredNumberScheduled ? true : undefined;
    }, { intervalMs: 1000 });
    node = (await kubectlOut(['get', 'nodes', '-l', `${Labels.nodeReady}=true`, '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    assert.ok(node, 'no node carries berth.dev/node=true');
  });

  step('the agent\'s ServiceAccount may make exactly the calls the agent makes, and no more', async () => {
    const as = `system:serviceaccount:${SYSTEM_NAMESPACE}:berth-agent`;
    // can-i exits 1 for "no": read its answer, not its exit code.
    const canI = async (...args: string[]) => (await execa('kubectl', ['auth', 'can-i', '--as', as, ...args], { env: berthEnv(), reject: false })).stdout.trim();
    // agent/node/kube.ts: its Node, the VM StatefulSets (what still uses a base), the catalog, Events.
    for (const allowed of [['get', 'nodes'], ['patch', 'nodes'], ['list', 'statefulsets.apps', '-A'], ['watch', 'configmaps', '-n', SYSTEM_NAMESPACE], ['create', 'events', '-n', 'default']]) {
      assert.equal(await canI(...allowed), 'yes', allowed.join(' '));
    }
    // No pods at all: the node tells the agent which pods hold its devices (PodResources, CRI).
    for (const denied of [['list', 'pods', '-A'], ['get', 'pods', '-A'], ['delete', 'pods', '-A'], ['get', 'secrets', '-A'], ['patch', 'statefulsets.apps', '-A'], ['update', 'configmaps', '-n', SYSTEM_NAMESPACE]]) {
      assert.equal(await canI(...denied), 'no', denied.join(' '));
    }
  }, probe);

  step('kubectl berth images add: the agent caches the served guest and labels the node', async () => {
    server.serveFile('/guest.qcow2', guestImage);
    await server.start();
    const url = `http://${await nodeAddress(node)}:${server.port}/guest.qcow2`;
    await berthOk(['images', 'add', IMAGE, '--url', url, '--sha256', guestSha256(), '--force']);
    const label = `${Labels.nodeImagePrefix}${imageLabelName(IMAGE)}`;
    await eventually(`node ${node} to get ${label}=${LabelValues.imageReady}`, 180_000, async () => {
      const value = (await kubectlOut(['get', 'node', node, '-o', `jsonpath={.metadata.labels.${label.replaceAll('.', '\\.')}}`])).trim();
      return value === LabelValues.imageReady ? value : undefined;
    }, { intervalMs: 2000 });
  });

  step('1. create --accel tcg --wait: the VM runs on the labelled node', async () => {
    await berthOk(['create', VM, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
    const pod = JSON.parse(await kubectlOut(['get', 'pods', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'json'])).items[0];
    assert.equal(pod?.status?.phase, 'Running');
    assert.equal(pod.spec.nodeName, node);
  });

  step('2. ssh demo -- cat /etc/hostname prints the VM\'s hostname', async () => {
    const r = await ssh('cat /etc/hostname');
    assert.equal(r.stdout.trim(), VM);
  }, probe);

  step('3a. vnc port-forward answers with the RFB banner', async () => {
    assert.match(await vncBanner(VM, NAMESPACE), /^RFB \d{3}\.\d{3}\n/);
  }, probe);

  step('3b. console shows the serial log (a line written to /dev/console) and Ctrl-] leaves it', async () => {
    const con = berthBackground(['console', VM, '-n', NAMESPACE]);
    try {
      // The banner comes once the attach stream is open: from then on the guest's output reaches it.
      await eventually('the console to attach', 60_000, async () => (con.err().includes('Press Ctrl-] to exit') ? true : undefined), { intervalMs: 250 });
      await ssh(`echo ${MARKER}-console > /dev/console`);
      await eventually('the marker on the serial console', 120_000, async () => (con.out().includes(`${MARKER}-console`) ? true : undefined), { intervalMs: 250 });
      con.proc.stdin?.write(Buffer.from([0x1d]));
      const done = await Promise.race([con.proc, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
      assert.notEqual(done, 'timeout', `console did not leave on Ctrl-]; stderr: ${con.err()}`);
      assert.equal((done as { exitCode?: number }).exitCode, 0, con.err());
      assert.doesNotMatch(con.out(), /berth-launcher/, 'the console carries the serial port alone, not the launcher\'s log');
    } finally {
      con.proc.kill('SIGKILL');
    }
  }, probe);

  step('4. ls shows it Running with its node and IP', async () => {
    const r = await berthOk(['ls', '-n', NAMESPACE]);
    const [header, ...rows] = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    const row = rows.find((cells) => cells[0] === VM);
    assert.ok(row, r.stdout);
    const col = (name: string) => row![header!.indexOf(name)];
    assert.equal(col('STATUS'), 'Running', r.stdout);
    assert.equal(col('NODE'), node, r.stdout);
    assert.match(col('IP') ?? '', /^\d+\.\d+\.\d+\.\d+$/, r.stdout);
  }, probe);

  step('5. after the pod is deleted by hand, the VM comes back on the same disk', async () => {
    await ssh(`echo ${MARKER} > /data/e2e-marker && sync`);
    const before = JSON.parse(await kubectlOut(['get', 'pods', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'json'])).items[0];
    await kubectlOut(['delete', 'pod', before.metadata.name, '-n', NAMESPACE, '--wait=true'], { timeoutMs: 180_000 });
    await eventually('a new VM pod that is Ready', 300_000, async () => {
      const pod = JSON.parse(await kubectlOut(['get', 'pods', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'json'])).items[0];
      const ready = pod?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status === 'True';
      return pod && pod.metadata.uid !== before.metadata.uid && ready ? pod : undefined;
    }, { intervalMs: 2000 });
    const r = await eventually('ssh into the restarted VM', 240_000, async () => ssh('cat /data/e2e-marker'), { intervalMs: 5000 });
    assert.equal(r.stdout.trim(), MARKER);
  });

  step('uninstall refuses while the VM exists, naming it, and changes nothing', async () => {
    const r = await berth(['uninstall']);
    assert.equal(r.exitCode, 4, r.stderr);
    assert.match(r.stderr, new RegExp(`${NAMESPACE}/${VM}`));
    assert.ok((await kubectlOut(['get', 'daemonset', '-n', SYSTEM_NAMESPACE, '-o', 'name'])).trim(), 'the agent DaemonSet is gone');
  }, probe);

  step('6a. purge demo --yes removes the VM and keeps its disk', async () => {
    await berthOk(['purge', VM, '-n', NAMESPACE, '--yes']);
    assert.equal((await kubectlOut(['get', 'statefulsets', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'name'])).trim(), '');
    assert.notEqual((await kubectlOut(['get', 'pvc', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'name'])).trim(), '');
  });

  step('6b. purge demo --delete-disks removes the kept disk too', async () => {
    await berthOk(['purge', VM, '-n', NAMESPACE, '--delete-disks', '--yes']);
    // Gone, not merely marked for deletion: a PVC stuck Terminating would still hold the disk.
    await eventually('the PVC to be gone', 60_000, async () => ((await kubectlOut(['get', 'pvc', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'name'])).trim() === '' ? true : undefined), { intervalMs: 1000 });
  });
});
