// Crash safety: the agent is killed with SIGKILL at random moments while it downloads 24 images.
// After every kill no file under a final name may be partial or corrupt, and after each restart
// every interrupted image must continue from exactly the bytes its partial file holds (the server
// sees `Range: bytes=<partial size>-`), never start over.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyCacheFiles, partialFileName } from '../../../agent/node/images/files.js';
import { AgentProcess, freePort } from './support/agent-process.js';
import { applyJson, eventually, kubectl, requireCluster, uniqueSuffix, removeFakeNodeAndNamespace } from './support/cluster.js';
import { ImageServer, randomImage } from './support/image-server.js';

const IMAGES = 24;
const SIZE = 1536 * 1024;

describe('node agent: SIGKILL during downloads (agent process, local cluster)', function () {
  this.timeout(240_000);
  const suffix = uniqueSuffix();
  const ns = `t-agent-kill-${suffix}`;
  const node = `t-agent-knode-${suffix}`;
  const server = new ImageServer();
  const images = Array.from({ length: IMAGES }, (_, i) => ({ name: `img-${i}`, path: `/img-${i}.qcow2`, ...randomImage(SIZE) }));
  let cacheDir: string;

  before(async () => {
    requireCluster();
    await server.start();
    // 32 KiB every 25 ms: about 1.3 MB/s per download, so a kill lands mid-transfer.
    for (const img of images) server.serve(img.path, img.data, { kind: 'trickle', chunkBytes: 32 * 1024, intervalMs: 25 });
    kubectl(['create', 'namespace', ns]);
    applyJson({ apiVersion: 'v1', kind: 'Node', metadata: { name: node } });
    applyJson({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'berth-images', namespace: ns },
      data: Object.fromEntries(images.map((i) => [i.name, JSON.stringify({ url: server.url(i.path), sha256: i.sha256, size: SIZE })])),
    });
    cacheDir = mkdtempSync(join(tmpdir(), 't-agent-kill-'));
  });

  after(async () => {
    await server.stop();
    removeFakeNodeAndNamespace(ns, node);
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  function assertFinalsIntact(): Set<string> {
    const listing = classifyCacheFiles(readdirSync(cacheDir));
    for (const sha of listing.finals) {
      const data = readFileSync(join(cacheDir, `${sha}.qcow2`));
      assert.equal(data.length, SIZE, `final file ${sha} has ${data.length} bytes`);
      assert.equal(createHash('sha256').update(data).digest('hex'), sha, `final file ${sha} is corrupt`);
    }
    return listing.finals;
  }

  it('never leaves a partial or corrupt file under a final name, and every image completes by resuming', async () => {
    const port = await freePort();
    const args = ['--cache-dir', cacheDir, '--catalog-namespace', ns, '--http', `127.0.0.1:${port}`, '--device-plugins', 'off', '--max-downloads', '4', '--status-interval', '1s', '--disk-reserve', '0', '--probe-interval', '1h'];
    const expectedResume = new Map<string, number>(); // path → partial size seen right after a kill
    let kills = 0;
    let interruptedDownloads = 0;
    let checkedResumes = 0;
    let rounds = 0;
    for (;;) {
      rounds++;
      assert.ok(rounds < 80, 'too many rounds: downloads are not making progress');
      const requestsBefore = server.requests.length;
      const agent = new AgentProcess(args, { NODE_NAME: node });
      agent.start();
      const done = assertFinalsIntact().size === IMAGES;
      if (done) {
        await agent.stop('SIGTERM');
        break;
      }
      // Once it is downloading, let it run for a random 0.2–1.4 s, then kill it without warning.
      await eventually('the agent to start downloading', 20_000, () => (server.requests.length > requestsBefore ? true : undefined), () => agent.tail());
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1200));
      await agent.stop('SIGKILL');
      kills++;
      // Every first request of this round for an image that had a partial must resume at its size.
      const seen = new Set<string>();
      for (const req of server.requests.slice(requestsBefore)) {
        if (seen.has(req.path)) continue;
        seen.add(req.path);
        const want = expectedResume.get(req.path);
        if (want === undefined) continue;
        if (want > 0) {
          assert.equal(req.range, `bytes=${want}-`, `${req.path} after a kill: expected a resume at ${want}, saw ${req.range ?? 'no Range'}\n${agent.tail()}`);
          // 416 when the kill came after the last byte but before the rename: nothing left to fetch.
          assert.equal(req.status, want === SIZE ? 416 : 206);
          checkedResumes++;
        }
      }
      const finals = assertFinalsIntact();
      expectedResume.clear();
      for (const img of images) {
        if (finals.has(img.sha256)) continue;
        const size = statSync(join(cacheDir, partialFileName(img.sha256)), { throwIfNoEntry: false })?.size;
        if (size !== undefined) {
          expectedResume.set(img.path, size);
          if (size > 0) interruptedDownloads++;
        }
      }
    }
    assert.ok(kills >= 3, `only ${kills} kills happened`);
    assert.ok(interruptedDownloads >= 20, `only ${interruptedDownloads} downloads were interrupted mid-way`);
    assert.ok(checkedResumes >= 20, `only ${checkedResumes} resumes were checked`);
    // Starting over would resend whole images; resuming resends at most what was in flight at each kill.
    const sent = images.reduce((n, img) => n + server.bytesSentFor(img.path), 0);
    assert.ok(sent < IMAGES * SIZE * 1.5, `the server sent ${sent} bytes for ${IMAGES * SIZE} bytes of images`);
    process.stderr.write(`      ${kills} kills, ${interruptedDownloads} interrupted downloads, ${checkedResumes} resumes checked, ${sent} bytes served for ${IMAGES * SIZE}\n`);
  });
});
