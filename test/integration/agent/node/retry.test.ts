// Endless re-downloads, for real: a catalog sha256 that never matches the file at its URL, and a
// URL whose file changes between two attempts ("latest"). The agent's backoff is set short
// (--retry-min 100ms, --retry-max 400ms), so the test waits for failures, not for time; it checks
// the delays the agent chose, never how long anything took.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess, AgentTestbed } from '../../../support/agent-process.js';
import { requireCluster } from '../../../support/cluster.js';
import { eventually } from '../../../support/eventually.js';
import { ImageServer, randomImage } from '../../../support/image-server.js';

const MiB = 1024 * 1024;

describe('node agent: retries with backoff, and no endless re-downloads (agent process, local cluster)', function () {
  this.timeout(90_000);
  const bed = new AgentTestbed('retry');
  const server = new ImageServer();
  const impostor = randomImage(MiB);
  const wrongSha = 'e'.repeat(64);
  const old = randomImage(2 * MiB);
  const latest = randomImage(2 * MiB);
  let cacheDir: string;
  let agent: AgentProcess | undefined;
  const status = (name: string) => bed.imageStatus(name);

  before(async () => {
    await requireCluster();
    await server.start();
    server.serve('/impostor.qcow2', impostor.data);
    server.serve('/latest.qcow2', old.data, { kind: 'cut-after', bytes: 512 * 1024, then: latest.data });
    bed.create();
    bed.setCatalog({
      impostor: { url: server.url('/impostor.qcow2'), sha256: wrongSha },
      latest: { url: server.url('/latest.qcow2'), sha256: latest.sha256 },
    });
    cacheDir = mkdtempSync(join(tmpdir(), 't-agent-retry-'));
    agent = new AgentProcess([...(await bed.agentArgs(cacheDir)), '--disk-reserve', '0', '--retry-min', '100ms', '--retry-max', '400ms'], { NODE_NAME: bed.node });
    agent.start();
  });

  after(async () => {
    await agent?.stop();
    await server.stop();
    await bed.remove();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('a sha256 that never matches: Failed with the reason, retried with doubling delays up to the cap, and downloaded in full only once', async () => {
    const failures = () => [...agent!.log.matchAll(/image impostor: download failed .*; failure (\d+), retry in (\d+)ms/g)].map((m) => Number(m[2]));
    const delays = await eventually('five failures of impostor', 30_000, () => (failures().length >= 5 ? failures() : undefined), { describe: () => agent!.tail() });
    assert.deepEqual(delays.slice(0, 5), [100, 200, 400, 400, 400]);
    const s = status('impostor')!;
    assert.equal(s.state, 'failed');
    assert.match(s.error ?? '', new RegExp(`^the file at the URL does not match the catalog's sha256 \\(checksum mismatch: expected sha256 ${wrongSha}, got ${impostor.sha256}`));
    const reqs = server.requestsFor('/impostor.qcow2');
    assert.deepEqual(reqs[0].status, 200);
    assert.ok(reqs.slice(1).every((r) => r.status === 304 && r.ifNoneMatch !== undefined), `later attempts ask only whether the file changed: ${JSON.stringify(reqs)}`);
    assert.equal(server.bytesSentFor('/impostor.qcow2'), MiB, 'the wrong file was sent once');
    assert.ok(bed.events().some((e) => e.reason === 'ImageDownloadFailed' && /^image impostor: the file at the URL does not match the catalog's sha256/.test(e.message)));
  });

  it('a file that changed between two attempts: the partial of the old one is not resumed, the new one comes whole', async () => {
    await eventually('latest ready', 30_000, () => (status('latest')?.state === 'ready' ? true : undefined), { describe: () => agent!.tail() });
    const reqs = server.requestsFor('/latest.qcow2');
    assert.equal(reqs.length, 2, JSON.stringify(reqs));
    assert.deepEqual([reqs[0].range, reqs[0].status], [undefined, 200]);
    assert.match(reqs[1].range ?? '', /^bytes=\d+-$/, 'the agent offered to resume its partial file');
    assert.ok(reqs[1].ifRange, 'only if the file had not changed');
    assert.equal(reqs[1].status, 200, 'the server said it had: the whole new file');
  });
});
