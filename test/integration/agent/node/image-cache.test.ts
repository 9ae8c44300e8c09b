// The agent process against the local cluster: it caches what a catalog lists, reports per-image
// state in the node annotation and labels, records an Event for a failure, never deletes a base a
// VM still uses (running or stopped), and removes what the catalog dropped. It runs against a fake Node
// object (no kubelet) so it does not fight the real agent over berth-node's annotations.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedImageFileName } from '../../../../agent/node/images/files.js';
import { LauncherEnv, Labels } from '../../../../shared/contract.js';
import { AgentProcess } from '../../../support/agent-process.js';
import { freePort } from '../../../support/ports.js';
import { applyJson, kubectlJsonSync, kubectlSync, removeFakeNodeAndNamespace, requireCluster, uniqueSuffix } from '../../../support/cluster.js';
import { eventually } from '../../../support/eventually.js';
import { ImageServer, randomImage } from '../../../support/image-server.js';
import { repo } from '../../../support/repo.js';

const MiB = 1024 * 1024;

/**
 * Three images whose sha256 (and so file names) sort good < witness < other. Garbage collection
 * removes files in name order (filesToRemove sorts them), so once the test sees one of them
 * removed, the same collection has already decided about those that sort before it.
 */
function imagesInNameOrder() {
  for (;;) {
    const [good, witness, other] = [randomImage(3 * MiB), randomImage(MiB), randomImage(MiB)];
    if (good.sha256 < witness.sha256 && witness.sha256 < other.sha256) return { good, witness, other };
  }
}

describe('node agent: image cache, status and garbage collection (agent process, local cluster)', function () {
  this.timeout(120_000);
  const suffix = uniqueSuffix();
  const ns = `t-agent-cache-${suffix}`;
  const node = `t-agent-node-${suffix}`;
  const server = new ImageServer();
  const { good, witness, other } = imagesInNameOrder();
  const corrupt = randomImage(MiB);
  const wrongSha = 'e'.repeat(64);
  let cacheDir: string;
  let agent: AgentProcess;
  let port: number;

  const nodeMeta = () => kubectlJsonSync(['get', 'node', node]).metadata as { labels: Record<string, string>; annotations: Record<string, string> };
  const imageStatus = (name: string) => JSON.parse(nodeMeta().annotations['berth.dev/image-cache'] ?? '{}')[name];
  const setCatalog = (data: Record<string, object>) =>
    applyJson({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'berth-images', namespace: ns }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, JSON.stringify(v)])) });

  before(async () => {
    await requireCluster();
    await server.start();
    server.serve('/good.qcow2', good.data);
    server.serve('/other.qcow2', other.data);
    server.serve('/corrupt.qcow2', corrupt.data);
    server.serve('/witness.qcow2', witness.data);
    kubectlSync(['create', 'namespace', ns]);
    applyJson({ apiVersion: 'v1', kind: 'Node', metadata: { name: node, labels: { 'image.berth.dev/stale': 'ready' } } });
    setCatalog({
      good: { url: server.url('/good.qcow2'), sha256: good.sha256, size: good.data.length },
      other: { url: server.url('/other.qcow2'), sha256: other.sha256 },
      witness: { url: server.url('/witness.qcow2'), sha256: witness.sha256 },
      corrupt: { url: server.url('/corrupt.qcow2'), sha256: wrongSha },
      missing: { url: server.url('/missing.qcow2'), sha256: 'd'.repeat(64) },
      'bad-entry': { url: 'ftp://nope', sha256: 'x' },
    });
    cacheDir = mkdtempSync(join(tmpdir(), 't-agent-cache-'));
    port = await freePort();
    agent = new AgentProcess(
      ['--cache-dir', cacheDir, '--catalog-namespace', ns, '--http', `127.0.0.1:${port}`, '--device-plugins', 'off', '--status-interval', '500ms', '--resync-interval', '2s', '--disk-reserve', '0'],
      { NODE_NAME: node },
    );
    agent.start();
  });

  after(async () => {
    await agent?.stop();
    await server.stop();
    await removeFakeNodeAndNamespace(ns, node);
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('downloads catalog images into the cache under their sha256 and reports them ready on the node', async () => {
    await eventually('good, other and witness ready in the node annotation', 30_000, () => (['good', 'other', 'witness'].every((name) => imageStatus(name)?.state === 'ready') ? true : undefined), { describe: () => agent.tail() });
    for (const img of [good, other, witness]) {
      const file = join(cacheDir, cachedImageFileName(img.sha256));
      assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), img.sha256);
    }
    const s = imageStatus('good');
    assert.equal(s.sha256, good.sha256);
    assert.equal(s.bytesDone, good.data.length);
    assert.equal(s.bytesTotal, good.data.length);
  });

  it('labels the node per ready image and removes labels it no longer stands behind', async () => {
    const labels = await eventually('image labels', 10_000, () => {
      const l = nodeMeta().labels;
      return l['image.berth.dev/good'] === 'ready' && l['image.berth.dev/stale'] === undefined ? l : undefined;
    });
    assert.equal(labels['image.berth.dev/other'], 'ready');
    assert.equal(labels['image.berth.dev/corrupt'], undefined);
    const annotations = nodeMeta().annotations;
    assert.equal(annotations['berth.dev/agent-version'], JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
    assert.match(annotations['berth.dev/kvm-reason'], /kvm|KVM/);
  });

  it('rejects a wrong checksum: failed with the reason, an Event, and never a file under either name', async () => {
    const s = await eventually('corrupt failed', 20_000, () => (imageStatus('corrupt')?.state === 'failed' ? imageStatus('corrupt') : undefined));
    assert.match(s.error, new RegExp(`checksum mismatch: expected sha256 ${wrongSha}, got ${corrupt.sha256}`));
    assert.equal(existsSync(join(cacheDir, cachedImageFileName(wrongSha))), false);
    assert.equal(existsSync(join(cacheDir, cachedImageFileName(corrupt.sha256))), false);
    const events = await eventually('a Warning event for corrupt', 10_000, () => {
      const items = kubectlJsonSync(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${node}`]).items as any[];
      const e = items.find((i) => i.reason === 'ImageDownloadFailed' && /image corrupt:/.test(i.message));
      return e ? items : undefined;
    }, { describe: () => agent.tail(60) });
    const e = events.find((i) => /image corrupt:/.test(i.message));
    assert.equal(e.type, 'Warning');
    assert.deepEqual([e.involvedObject.kind, e.involvedObject.name], ['Node', node]);
  });

  it('reports a 404 and an invalid catalog entry as failed with their reasons', async () => {
    const missing = await eventually('missing failed', 20_000, () => (imageStatus('missing')?.state === 'failed' ? imageStatus('missing') : undefined));
    assert.match(missing.error, /HTTP 404/);
    assert.match(imageStatus('bad-entry').error, /invalid catalog entry: url 'ftp:\/\/nope' must use http or https/);
  });

  it('serves /healthz and Prometheus /metrics on its loopback port', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^berth_image_state\{image="good",state="ready"\} 1$/m);
    assert.match(metrics, /^berth_image_state\{image="bad-entry",state="failed"\} 1$/m);
    assert.match(metrics, /^berth_image_downloads_total\{result="failure"\} [1-9]/m); // corrupt and missing are retried, so their state flips
    assert.match(metrics, /^berth_image_downloads_total\{result="success"\} [1-9]/m);
  });

  it('keeps a dropped image while a VM uses it, running or stopped, and removes it once no VM does', async () => {
    // The agent learns which bases VMs use from their StatefulSets' pod templates (it may not read
    // pods), whether the VM runs or not. No step waits for time to pass: each waits for what a
    // garbage collection did. Every collection considers every dropped file, in name order
    // (good < witness < other), and `witness` is used by the running VM alone, so the collection
    // that removes it no longer saw that VM.
    const goodFile = join(cacheDir, cachedImageFileName(good.sha256));
    const otherFile = join(cacheDir, cachedImageFileName(other.sha256));
    const witnessFile = join(cacheDir, cachedImageFileName(witness.sha256));
    const launcher = (name: string, sha256: string) => ({ name, image: 'localhost/busybox:local', env: [{ name: LauncherEnv.imageSha256, value: sha256 }] });
    const vm = (name: string, replicas: number, containers: object[]) =>
      applyJson({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name, namespace: ns, labels: { [Labels.vm]: name } },
        spec: {
          replicas,
          serviceName: name,
          selector: { matchLabels: { [Labels.vm]: name } },
          // Its pod matches no node, so it stays Pending and nothing runs.
          template: { metadata: { labels: { [Labels.vm]: name } }, spec: { nodeSelector: { 'berth.dev/t-no-such-node': 'true' }, containers } },
        },
      });
    // A running VM (replicas 1), whose template names two bases.
    vm('running-uses-good', 1, [launcher('vm', good.sha256), launcher('witness', witness.sha256)]);
    // A stopped VM: replicas 0, so no pod anywhere, but its pet disk is an overlay on the base.
    vm('stopped-uses-good', 0, [launcher('vm', good.sha256)]);
    setCatalog({ corrupt: { url: server.url('/corrupt.qcow2'), sha256: wrongSha } });
    // The collection that removed other had decided about good and witness already: it kept them.
    await eventually('other removed from the cache', 15_000, () => (existsSync(otherFile) ? undefined : true), { describe: () => agent.tail() });
    assert.ok(existsSync(witnessFile), 'the base only a running VM uses is still there');
    assert.ok(existsSync(goodFile), 'the base a running and a stopped VM use is still there');
    await eventually('labels of dropped images removed', 10_000, () => (nodeMeta().labels['image.berth.dev/good'] === undefined ? true : undefined));
    assert.match(agent.log, new RegExp(`removing ${cachedImageFileName(other.sha256)}`));
    kubectlSync(['delete', 'statefulset', 'running-uses-good', '-n', ns, '--wait=false']);
    // The collection that removed witness no longer saw that VM, and had decided about good already: it kept it.
    await eventually('witness removed once that VM is gone', 30_000, () => (existsSync(witnessFile) ? undefined : true), { describe: () => agent.tail() });
    assert.ok(existsSync(goodFile), 'the base a stopped VM uses is still there');
    kubectlSync(['delete', 'statefulset', 'stopped-uses-good', '-n', ns, '--wait=false']);
    await eventually('good removed once no VM uses it', 20_000, () => (existsSync(goodFile) ? undefined : true), { describe: () => agent.tail() });
    assert.deepEqual(readdirSync(cacheDir).filter((f) => !f.startsWith('.')), []);
  });

  it('stops on SIGTERM with exit 0', async () => {
    assert.equal(await agent.stop('SIGTERM'), 0);
  });
});
