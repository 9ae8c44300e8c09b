// A full disk, for real: the agent's cache directory is a 2 MiB tmpfs. An image whose catalog size
// does not fit the budget is refused before any byte is fetched (cache-budget.test.ts has the
// budget itself); one of unknown size fails when the disk fills. Both are reported on the node, and nothing is left in the cache.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess } from '../../../support/agent-process.js';
import { freePort } from '../../../support/ports.js';
import { applyJson, kubectlJsonSync, kubectlSync, removeFakeNodeAndNamespace, requireCluster, uniqueSuffix } from '../../../support/cluster.js';
import { eventually } from '../../../support/eventually.js';
import { ImageServer, randomImage } from '../../../support/image-server.js';

describe('node agent on a full disk (agent process, 2 MiB tmpfs, local cluster)', function () {
  this.timeout(90_000);
  const suffix = uniqueSuffix();
  const ns = `t-agent-disk-${suffix}`;
  const node = `t-agent-dnode-${suffix}`;
  const server = new ImageServer();
  const known = randomImage(4 * 1024 * 1024);
  const unknown = randomImage(4 * 1024 * 1024);
  let mnt: string | undefined;
  let agent: AgentProcess;
  const status = (name: string) => JSON.parse(kubectlJsonSync(['get', 'node', node]).metadata.annotations?.['berth.dev/image-cache'] ?? '{}')[name];

  before(async () => {
    await requireCluster();
    mnt = mkdtempSync(join(tmpdir(), 't-agent-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'berth-test', mnt]);
    await server.start();
    server.serve('/known.qcow2', known.data);
    server.serve('/unknown.qcow2', unknown.data, { kind: 'chunked' });
    kubectlSync(['create', 'namespace', ns]);
    applyJson({ apiVersion: 'v1', kind: 'Node', metadata: { name: node } });
    applyJson({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'berth-images', namespace: ns },
      data: {
        known: JSON.stringify({ url: server.url('/known.qcow2'), sha256: known.sha256, size: known.data.length }),
        unknown: JSON.stringify({ url: server.url('/unknown.qcow2'), sha256: unknown.sha256 }),
      },
    });
    agent = new AgentProcess(['--cache-dir', mnt, '--catalog-namespace', ns, '--http', `127.0.0.1:${await freePort()}`, '--device-plugins', 'off', '--status-interval', '500ms', '--disk-reserve', '256Ki'], { NODE_NAME: node });
    agent.start();
  });

  after(async () => {
    await agent?.stop();
    await server.stop();
    await removeFakeNodeAndNamespace(ns, node);
    if (mnt) {
      try {
        execFileSync('umount', [mnt]);
      } catch {
        /* not mounted */
      }
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('refuses an image whose catalog size does not fit, before downloading, and reports it', async () => {
    const s = await eventually('known no-room', 30_000, () => (status('known')?.state === 'no-room' ? status('known') : undefined), { describe: () => agent.tail() });
    // What the budget leaves depends on how far the other image's download has filled the disk.
    assert.match(s.error, /^does not fit the node's image cache budget: it needs 4\.0MiB and the budget leaves [\d.]+(B|KiB|MiB) \(keeping 256KiB free\)/);
    assert.equal(server.requestsFor('/known.qcow2').length, 0);
  });

  it('fails an image of unknown size when the disk fills, reports it, and never leaves an image under a final name', async () => {
    const s = await eventually('unknown failed', 30_000, () => (status('unknown')?.state === 'failed' ? status('unknown') : undefined), { describe: () => agent.tail() });
    assert.match(s.error, /filled up during the download|no space left/);
    assert.ok(server.requestsFor('/unknown.qcow2').length > 0);
    // No image under a final name; a partial may exist only while a retry is running.
    assert.deepEqual(readdirSync(mnt!).filter((f) => f.endsWith('.qcow2')), []);
    const events = kubectlJsonSync(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${node}`]).items as any[];
    assert.ok(events.some((e) => e.reason === 'ImageDownloadFailed' && /image unknown:/.test(e.message)), 'a Warning event for the full disk');
  });
});
