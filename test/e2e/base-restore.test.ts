// A VM never loses its base (issue 14), on the local cluster, through the plugin: a catalog name
// that gets a new sha256 and `images rm` leave the VM's base on the node while the VM exists; a
// node whose cache lacks the base (the file deleted by hand: what a node the VM moves to looks
// like) makes the launcher fetch it from the URL the VM recorded, verify it, and restore it onto
// the VM's volume, with `ls` and `start --wait` showing the fetch, and the guest's files survive
// each step.
// The guest is the test guest in a form of its own (recompressed, so its sha256 is this test's
// alone and no other catalog entry or VM keeps it in the node's cache).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { imageLabelName } from '../../shared/catalog.js';
import { cachedImageFileName, Labels, LabelValues, LauncherEnv, Paths, SYSTEM_NAMESPACE, VM_CONTAINER } from '../../shared/contract.js';
import { kubectlOut, LOCAL_INSTALL_FLAGS, nodeAddress, requireCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { chainOfSteps } from '../support/steps.js';
import { ImageServer, randomImage } from '../support/image-server.js';
import { berth, berthOk } from '../support/plugin.js';
import { repo } from '../support/repo.js';
import { guestImage, guestShell } from './test-guest.js';

const NAMESPACE = 't-e2e-base';
const VM = 'pet';
const IMAGE = 't-base-guest';
const MARKER = `berth-base-${process.pid}`;

describe('end to end: a VM keeps its base through a catalog change, images rm and a node cache without it', function () {
  this.timeout(600_000);
  const server = new ImageServer('0.0.0.0');
  const work = mkdtempSync(join(tmpdir(), 't-e2e-base-'));
  const key = join(work, 'id_ed25519');
  let node = '';
  let sha = '';
  let address = '';

  const { step } = chainOfSteps();

  const ssh = (command: string) => guestShell(NAMESPACE, key)(VM, command);
  const cachedBase = () => join(Paths.imageCache, cachedImageFileName(sha));
  const vmPod = async () => JSON.parse(await kubectlOut(['get', 'pods', '-n', NAMESPACE, '-l', `${Labels.vm}=${VM}`, '-o', 'json'])).items[0];
  const launcherLog = () => kubectlOut(['logs', '-n', NAMESPACE, `${VM}-0`, '-c', VM_CONTAINER]);

  /** Deletes the VM's pod and waits for its successor to be Ready (the guest answers). */
  async function replacePod(): Promise<void> {
    const before = await vmPod();
    await kubectlOut(['delete', 'pod', before.metadata.name, '-n', NAMESPACE, '--wait=true'], { timeoutMs: 180_000 });
    await eventually('a new VM pod that is Ready', 300_000, async () => {
      const pod = await vmPod();
      const ready = pod?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status === 'True';
      return pod && pod.metadata.uid !== before.metadata.uid && ready ? pod : undefined;
    }, { intervalMs: 2000 });
  }

  async function markerSurvived(): Promise<void> {
    const r = await eventually('ssh into the restarted VM', 240_000, async () => ssh('cat /data/base-marker'), { intervalMs: 5000 });
    assert.equal(r.stdout.trim(), MARKER);
  }

  before(async function () {
    this.timeout(300_000);
    await requireCluster();
    // idempotent: a no-op when the guest is built and its inputs are unchanged
    await execa('bash', [join(repo, 'test', 'guest', 'build.sh')], { stdio: 'inherit' });
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-e2e-base', '-f', key]);
    // The same guest, compressed and a little larger: other bytes, so a sha256 that no other test's
    // catalog entry, and no earlier run of this test, shares.
    const own = join(work, 'guest.qcow2');
    await execa('qemu-img', ['convert', '-c', '-O', 'qcow2', guestImage, own]);
    await execa('qemu-img', ['resize', '-q', own, `+${1 + (Date.now() % 100_000)}K`]);
    const served = server.serve('/base-guest.qcow2', readFileSync(own));
    sha = served.sha256;
    await server.start();
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true'], { timeoutMs: 180_000 });
    await kubectlOut(['create', 'namespace', NAMESPACE]);
    const installed = (await kubectlOut(['get', 'daemonset', '-n', SYSTEM_NAMESPACE, '-o', 'name']).catch(() => '')).trim();
    if (!installed) await berthOk(['install', ...LOCAL_INSTALL_FLAGS, '--timeout', '4m'], { timeoutMs: 300_000 });
  });

  after(async () => {
    await berth(['purge', VM, '-n', NAMESPACE, '--delete-disks', '--yes']).catch(() => undefined);
    await kubectlOut(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    await berth(['images', 'rm', IMAGE, '--ignore-not-found']);
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const args of [['logs', '-n', NAMESPACE, `${VM}-0`, '-c', VM_CONTAINER, '--tail', '40'], ['logs', '-n', NAMESPACE, `${VM}-0`, '-c', VM_CONTAINER, '--previous', '--tail', '40'], ['describe', 'pod', '-n', NAMESPACE, `${VM}-0`]]) {
      const out = await kubectlOut(args).catch((error: Error) => error.message);
      process.stderr.write(`\n--- kubectl ${args.join(' ')} ---\n${out}\n`);
    }
  });

  step('the catalog image is cached on the node, and a VM made from it runs and writes a file', async () => {
    node = (await kubectlOut(['get', 'nodes', '-l', `${Labels.nodeReady}=true`, '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    address = `http://${await nodeAddress(node)}:${server.port}`;
    const url = `${address}/base-guest.qcow2`;
    await berthOk(['images', 'add', IMAGE, '--url', url, '--sha256', sha, '--force']);
    const label = `${Labels.nodeImagePrefix}${imageLabelName(IMAGE)}`;
    await eventually(`node ${node} to get ${label}=${LabelValues.imageReady}`, 180_000, async () => {
      const value = (await kubectlOut(['get', 'node', node, '-o', `jsonpath={.metadata.labels.${label.replaceAll('.', '\\.')}}`])).trim();
      return value === LabelValues.imageReady ? value : undefined;
    }, { intervalMs: 2000 });
    await berthOk(['create', VM, '-n', NAMESPACE, '--image', IMAGE, '--accel', 'tcg', '--ssh-key', `${key}.pub`, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
    await ssh(`echo ${MARKER} > /data/base-marker && sync`);
    const env = JSON.parse(await kubectlOut(['get', 'statefulset', VM, '-n', NAMESPACE, '-o', 'json'])).spec.template.spec.containers[0].env as { name: string; value?: string }[];
    const recorded = Object.fromEntries(env.map((e) => [e.name, e.value]));
    assert.deepEqual([recorded[LauncherEnv.imageUrl], recorded[LauncherEnv.imageSha256]], [url, sha], 'the StatefulSet records the URL and sha256 the VM was made from');
  });

  step('a new sha256 for the catalog name: the node keeps the old base, and the VM restarts on it', async () => {
    const other = randomImage(1024 * 1024);
    server.serve('/other.qcow2', other.data);
    await berthOk(['images', 'add', IMAGE, '--url', `${address}/other.qcow2`, '--sha256', other.sha256, '--force']);
    await replacePod();
    await markerSurvived();
    assert.ok(existsSync(cachedBase()), `the agent kept ${cachedBase()}: the VM still names it`);
    assert.match(await launcherLog(), /disk: reusing pet disk .* \(backing file .*\)/);
  });

  step('images rm, and the base gone from the node: start --wait shows the fetch, the VM restores it and runs on', async () => {
    await berthOk(['images', 'rm', IMAGE]);
    await berthOk(['stop', VM, '-n', NAMESPACE, '--wait', '--timeout', '3m'], { timeoutMs: 200_000 });
    // What a node the VM moves to looks like: no copy of the base in its cache. Not in the catalog
    // any more, so the agent does not fetch it back.
    rmSync(cachedBase(), { force: true });
    const served = server.files.get('/base-guest.qcow2')!;
    // A slow link, so the fetch lasts long enough for ls and --wait to see it.
    served.mode = { kind: 'throttle', bytesPerSecond: Math.ceil(served.data.length / 8) };
    const requestsBefore = server.requestsFor('/base-guest.qcow2').length;
    const starting = berth(['start', VM, '-n', NAMESPACE, '--wait', '--timeout', '5m'], { timeoutMs: 360_000 });
    const seen = new Set<string>();
    const row = await eventually('ls to show the fetch', 120_000, async () => {
      const r = await berthOk(['ls', '-n', NAMESPACE, '-o', 'json']);
      const vm = (JSON.parse(r.stdout).items as { name: string; status: string; reason?: string; message?: string }[]).find((item) => item.name === VM);
      seen.add(`${vm?.status} ${vm?.reason ?? ''} ${vm?.message ?? ''}`);
      return vm?.reason === 'FetchingBase' ? vm : undefined;
    }, { intervalMs: 500, describe: () => `ls showed: ${[...seen].join(' | ')}` }).catch(async (error: Error) => {
      const start = await starting;
      throw new Error(`${error.message}\nstart --wait (exit ${start.exitCode}):\n${start.stderr}`);
    });
    assert.match(row.message ?? '', /^(the pet disk's base|fetching sha256|downloaded)/, row.message);
    const started = await starting;
    assert.equal(started.exitCode, 0, started.stderr);
    assert.match(started.stderr, new RegExp(`${VM}: Starting \\(FetchingBase\\) on ${node} — `), started.stderr);
    assert.equal(server.requestsFor('/base-guest.qcow2').length, requestsBefore + 1, 'the launcher fetched the base once');
    await markerSurvived();
    const log = await launcherLog();
    assert.match(log, new RegExp(`base: the pet disk's base ${cachedBase()} \\(sha256 ${sha}\\) is not on this node`));
    assert.match(log, new RegExp(`base: downloaded [\\d.]+ MiB to .*base\\.qcow2, sha256 ${sha} \\(verified\\)`));
    assert.match(log, /base: restored: the pet disk .* now sits on .*base\.qcow2/);
    assert.equal(existsSync(cachedBase()), false, 'the agent did not fetch it: the image left the catalog');
  });

  step('from then on the disk carries its base: the next start fetches nothing', async () => {
    const requestsBefore = server.requestsFor('/base-guest.qcow2').length;
    await replacePod();
    await markerSurvived();
    assert.equal(server.requestsFor('/base-guest.qcow2').length, requestsBefore);
    assert.match(await launcherLog(), /disk: reusing pet disk .* \(backing file .*base\.qcow2\)/);
  });
});
