// Crash safety: the agent is killed with SIGKILL in the middle of its downloads, again and again,
// until every image is complete. After every kill no file under a final name may be partial or
// corrupt, and after each restart every interrupted image must continue from exactly the bytes its
// partial file holds (the server sees `Range: bytes=<partial size>-`), never start over.
//
// Nothing here waits for time to pass. The server holds every response at byte positions the test
// chose (hold-at), so a round ends in a state the test can see: each download in flight is held
// and its bytes are all on disk. Only then does the test kill the agent; then it starts it again.
// The same kills land at the same bytes on a fast machine and on a slow one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedImageFileName, classifyCacheFiles, partialFileName } from '../../../../agent/node/images/files.js';
import { AgentProcess } from '../../../support/agent-process.js';
import { freePort } from '../../../support/ports.js';
import { applyJson, kubectlSync, removeFakeNodeAndNamespace, requireCluster, uniqueSuffix } from '../../../support/cluster.js';
import { eventually } from '../../../support/eventually.js';
import { ImageServer, randomImage, type SeenRequest } from '../../../support/image-server.js';

const IMAGES = 8;
const MAX_DOWNLOADS = 4;
const SIZE = 1024 * 1024 + 3;
/** Where the server holds image i: after its first byte(s), at an odd place mid-way, one byte or a few short of the end. */
const holdsFor = (i: number) => [1 + i, 65_536 * (i + 1) + 7 * i + 1, SIZE - 1 - i];

describe('node agent: SIGKILL during downloads (agent process, local cluster)', function () {
  this.timeout(240_000);
  const suffix = uniqueSuffix();
  const ns = `t-agent-kill-${suffix}`;
  const node = `t-agent-knode-${suffix}`;
  const server = new ImageServer();
  const images = Array.from({ length: IMAGES }, (_, i) => ({ name: `img-${i}`, path: `/img-${i}.qcow2`, holds: holdsFor(i), ...randomImage(SIZE) }));
  const byPath = new Map(images.map((img) => [img.path, img]));
  let cacheDir: string;
  let agent: AgentProcess | undefined;

  before(async () => {
    await requireCluster();
    await server.start();
    for (const img of images) server.serve(img.path, img.data, { kind: 'hold-at', offsets: img.holds });
    kubectlSync(['create', 'namespace', ns]);
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
    await agent?.stop('SIGKILL'); // still running only when a round failed
    await server.stop();
    await removeFakeNodeAndNamespace(ns, node);
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  const fileSize = (name: string) => statSync(join(cacheDir, name), { throwIfNoEntry: false })?.size;
  const isFinal = (img: (typeof images)[number]) => fileSize(cachedImageFileName(img.sha256)) !== undefined;
  /** The image's bytes on disk under either name: an agent that wrote to the final name early is caught after the kill. */
  const bytesOnDisk = (img: (typeof images)[number]) => fileSize(partialFileName(img.sha256)) ?? fileSize(cachedImageFileName(img.sha256)) ?? 0;

  function assertFinalsIntact(): void {
    for (const sha of classifyCacheFiles(readdirSync(cacheDir)).finals) {
      const data = readFileSync(join(cacheDir, cachedImageFileName(sha)));
      assert.equal(data.length, SIZE, `final file ${sha} has ${data.length} bytes`);
      assert.equal(createHash('sha256').update(data).digest('hex'), sha, `final file ${sha} is corrupt`);
    }
  }

  it('never leaves a partial or corrupt file under a final name, and every image completes by resuming at exactly its partial size', async () => {
    const port = await freePort();
    // No stall timeout can fire while a response is held, however long the round takes.
    const args = ['--cache-dir', cacheDir, '--catalog-namespace', ns, '--http', `127.0.0.1:${port}`, '--device-plugins', 'off', '--max-downloads', String(MAX_DOWNLOADS), '--stall-timeout', '1h', '--status-interval', '1s', '--disk-reserve', '0', '--probe-interval', '1h'];
    const partials = new Map<string, number>(); // path → size of its partial file after the last kill
    let kills = 0;
    let interrupted = 0;
    let resumes = 0;
    for (let round = 1; ; round++) {
      // Every round but the last holds at least one download at a position it had not reached.
      assert.ok(round <= IMAGES * holdsFor(0).length + 1, 'too many rounds: downloads are not making progress');
      const first = server.requests.length;
      const current = new AgentProcess(args, { NODE_NAME: node });
      agent = current;
      current.start();
      // Settled: as many downloads held as may run (or as are left), each with its bytes on disk.
      // Nothing moves from here on until the agent dies; when nothing is left, every image is final.
      // A request that is wrong already ends the wait at once; checkRequests below says how.
      const settled = await eventually(`round ${round} to settle`, 60_000, () => {
        const mine = server.requests.slice(first);
        try {
          checkRequests(mine, partials, current);
        } catch {
          return { held: [], wrong: true };
        }
        const left = images.filter((img) => !isFinal(img)).length;
        const held = mine.filter((r) => r.heldAt !== undefined);
        if (held.length !== Math.min(MAX_DOWNLOADS, left)) return undefined;
        return held.every((r) => bytesOnDisk(byPath.get(r.path)!) === r.heldAt) ? { held, wrong: false } : undefined;
      }, { describe: () => `requests this round: ${JSON.stringify(server.requests.slice(first))}\n${current.tail()}` });
      const finished = !settled.wrong && settled.held.length === 0;
      const exit = await current.stop(finished ? 'SIGTERM' : 'SIGKILL');
      resumes += checkRequests(server.requests.slice(first), partials, current);
      assertFinalsIntact();
      if (finished) {
        assert.equal(exit, 0, current.tail());
        break;
      }
      kills++;
      interrupted += settled.held.length;
      // What the next round must resume from: exactly what each partial holds after the kill, and
      // that is exactly what the server had sent.
      partials.clear();
      for (const img of images) {
        const size = fileSize(partialFileName(img.sha256));
        if (size !== undefined) partials.set(img.path, size);
      }
      for (const r of settled.held) assert.equal(partials.get(r.path), r.heldAt, `${r.path}: the partial file after the kill`);
    }
    assert.equal(interrupted, IMAGES * holdsFor(0).length, 'every image was interrupted at each of its hold positions');
    assert.equal(resumes, interrupted, 'every interrupted download was resumed');
    for (const img of images) {
      assert.deepEqual(server.requestsFor(img.path).map((r) => r.range), [undefined, ...img.holds.map((h) => `bytes=${h}-`)], img.path);
      assert.equal(server.bytesSentFor(img.path), SIZE, `${img.path}: every byte was sent once`);
    }
    process.stderr.write(`      ${kills} kills, ${interrupted} interrupted downloads, every one resumed at its partial size\n`);
  });

  /** One request per image in a round: a resume exactly at the partial's size, or a fresh start where there is none. */
  function checkRequests(requests: SeenRequest[], partials: Map<string, number>, agent: AgentProcess): number {
    const paths = requests.map((r) => r.path);
    assert.equal(new Set(paths).size, paths.length, `an image was requested twice in one round: ${paths.join(' ')}\n${agent.tail()}`);
    let resumes = 0;
    for (const r of requests) {
      const have = partials.get(r.path);
      if (have === undefined) {
        assert.deepEqual([r.range, r.status], [undefined, 200], `${r.path} had no partial file: a fresh download`);
        continue;
      }
      assert.deepEqual([r.range, r.status], [`bytes=${have}-`, 206], `${r.path} after a kill: expected a resume at ${have}\n${agent.tail()}`);
      resumes++;
    }
    return resumes;
  }
});
