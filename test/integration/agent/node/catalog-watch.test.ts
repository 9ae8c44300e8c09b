// The agent follows the catalog through its watch, not only its periodic resync (set to 10
// minutes here): an added image is fetched, and a deleted catalog drops it, long before a resync.
// The waits below are only bounds for a hang, far below those 10 minutes: no speed is assumed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedImageFileName } from '../../../../agent/node/images/files.js';
import { AgentProcess } from '../../../support/agent-process.js';
import { freePort } from '../../../support/ports.js';
import { applyJson, kubectlJsonSync, kubectlSync, removeFakeNodeAndNamespace, requireCluster, uniqueSuffix } from '../../../support/cluster.js';
import { eventually } from '../../../support/eventually.js';
import { ImageServer, randomImage } from '../../../support/image-server.js';

describe('node agent follows catalog changes through its watch (agent process, local cluster)', function () {
  this.timeout(240_000);
  const suffix = uniqueSuffix();
  const ns = `t-agent-watch-${suffix}`;
  const node = `t-agent-wnode-${suffix}`;
  const server = new ImageServer();
  const img = randomImage(512 * 1024);
  let cacheDir: string;
  let agent: AgentProcess;
  const images = () => JSON.parse(kubectlJsonSync(['get', 'node', node]).metadata.annotations?.['berth.dev/image-cache'] ?? '{}');

  before(async () => {
    await requireCluster();
    await server.start();
    server.serve('/w.qcow2', img.data);
    kubectlSync(['create', 'namespace', ns]);
    applyJson({ apiVersion: 'v1', kind: 'Node', metadata: { name: node } });
    cacheDir = mkdtempSync(join(tmpdir(), 't-agent-watch-'));
    agent = new AgentProcess(['--cache-dir', cacheDir, '--catalog-namespace', ns, '--http', `127.0.0.1:${await freePort()}`, '--device-plugins', 'off', '--status-interval', '500ms', '--resync-interval', '10m', '--disk-reserve', '0'], { NODE_NAME: node });
    agent.start();
    await eventually('the agent to report an empty cache', 20_000, () => (kubectlJsonSync(['get', 'node', node]).metadata.annotations?.['berth.dev/image-cache'] === '{}' ? true : undefined), { describe: () => agent.tail() });
  });

  after(async () => {
    await agent?.stop();
    await server.stop();
    await removeFakeNodeAndNamespace(ns, node);
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('fetches an image as soon as the catalog gains it', async () => {
    applyJson({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'berth-images', namespace: ns }, data: { w: JSON.stringify({ url: server.url('/w.qcow2'), sha256: img.sha256 }) } });
    await eventually('w ready', 60_000, () => (images().w?.state === 'ready' ? true : undefined), { describe: () => agent.tail() });
    assert.ok(existsSync(join(cacheDir, cachedImageFileName(img.sha256))));
  });

  it('drops it when the catalog is deleted', async () => {
    kubectlSync(['delete', 'configmap', 'berth-images', '-n', ns]);
    await eventually('w gone from the node and the disk', 60_000, () => (images().w === undefined && !existsSync(join(cacheDir, cachedImageFileName(img.sha256))) ? true : undefined), { describe: () => agent.tail() });
  });
});
