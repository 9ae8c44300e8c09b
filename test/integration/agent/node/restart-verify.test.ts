// Agent restarts: the agent serves its cached images (node status and labels) at once and hashes
// them again in the background. The cache holds a good image and a "rotten" one: a file under the
// rotten image's name whose bytes are not its (a sparse 1 GiB file, so hashing it takes a while).
// The agent is killed while it verifies, started again, publishes at once, and finishes: the
// rotten file goes out of service (label removed, status and an Event say why) and is fetched again.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedImageFileName } from '../../../../agent/node/images/files.js';
import { AgentProcess, AgentTestbed } from '../../../support/agent-process.js';
import { kubectlSync, requireCluster } from '../../../support/cluster.js';
import { eventually } from '../../../support/eventually.js';
import { ImageServer, randomImage } from '../../../support/image-server.js';

const ROTTEN_SIZE = 1024 ** 3;

describe('node agent: restart while verifying the cache (agent process, local cluster)', function () {
  this.timeout(180_000);
  const bed = new AgentTestbed('verify');
  const server = new ImageServer();
  const good = randomImage(1024 * 1024);
  const rotten = randomImage(1024 * 1024);
  let cacheDir: string;
  let agent: AgentProcess | undefined;
  let args: string[];
  const labels = () => bed.nodeMeta().labels;
  const rottenFile = () => join(cacheDir, cachedImageFileName(rotten.sha256));

  before(async () => {
    await requireCluster();
    await server.start();
    server.serve('/good.qcow2', good.data);
    // The download that replaces the rotten file stops after one byte until the test lets it go,
    // so the test sees the image out of service while it is fetched again.
    server.serve('/rotten.qcow2', rotten.data, { kind: 'hold-at', offsets: [1] });
    bed.create();
    bed.setCatalog({
      good: { url: server.url('/good.qcow2'), sha256: good.sha256 },
      rotten: { url: server.url('/rotten.qcow2'), sha256: rotten.sha256 },
    });
    cacheDir = mkdtempSync(join(tmpdir(), 't-agent-verify-'));
    writeFileSync(join(cacheDir, cachedImageFileName(good.sha256)), good.data);
    writeFileSync(rottenFile(), '');
    truncateSync(rottenFile(), ROTTEN_SIZE);
    args = [...(await bed.agentArgs(cacheDir)), '--disk-reserve', '0', '--stall-timeout', '2s', '--retry-min', '100ms', '--retry-max', '400ms', '--probe-interval', '1h'];
  });

  after(async () => {
    await agent?.stop('SIGKILL');
    await server.stop();
    await bed.remove();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  /** Starts an agent and waits until the node shows both images ready while the rotten file is still unverified on disk. */
  async function startAndSeeItServe(round: string): Promise<AgentProcess> {
    const current = new AgentProcess(args, { NODE_NAME: bed.node });
    agent = current;
    current.start();
    await eventually(`${round}: both images ready on the node, the rotten file not yet verified`, 30_000, () => {
      const served = bed.imageStatus('good')?.state === 'ready' && bed.imageStatus('rotten')?.state === 'ready' && labels()['image.berth.dev/rotten'] === 'ready';
      // Read after the node: the rotten file is still there, so the status came before its verification ended.
      return served && statSync(rottenFile(), { throwIfNoEntry: false })?.size === ROTTEN_SIZE ? true : undefined;
    }, { describe: () => current.tail() });
    return current;
  }

  it('serves at once, is killed while verifying, serves at once again, and finishes verifying', async () => {
    const first = await startAndSeeItServe('first start');
    await eventually('verification under way', 20_000, () => (/verifying 2 cached image\(s\) in the background/.test(first.log) ? true : undefined), { describe: () => first.tail() });
    await first.stop('SIGKILL');
    assert.equal(statSync(rottenFile()).size, ROTTEN_SIZE, 'the kill came before the rotten file was verified');
    assert.doesNotMatch(first.log, /verified 2 cached image/);
    // What the first agent published is taken away, so only the second one can put it back.
    kubectlSync(['annotate', 'node', bed.node, 'berth.dev/image-cache-']);
    kubectlSync(['label', 'node', bed.node, 'image.berth.dev/good-', 'image.berth.dev/rotten-']);

    const second = await startAndSeeItServe('after the restart');
    const s = await eventually('the rotten image out of service', 60_000, () => {
      // The good image may be verified after the rotten one: the summary comes once both are done.
      const done = /verified 2 cached image\(s\): 1 did not and went out of service/.test(second.log);
      const r = bed.imageStatus('rotten');
      return done && r && r.state !== 'ready' && /did not match its sha256/.test(r.error ?? '') && labels()['image.berth.dev/rotten'] === undefined ? r : undefined;
    }, { describe: () => second.tail() });
    assert.equal(s.error, 'the cached file did not match its sha256 when the agent checked it after starting; it was deleted and is downloaded again');
    assert.equal(labels()['image.berth.dev/good'], 'ready', 'the good image stays in service');
    assert.ok(bed.events().some((e) => e.reason === 'ImageVerifyFailed' && e.type === 'Warning' && /^image rotten: the cached file did not match/.test(e.message)));

    // Let the download go: the held one stalls out and the retry resumes after its one byte.
    server.files.get('/rotten.qcow2')!.mode = { kind: 'ok' };
    await eventually('rotten ready again', 30_000, () => (bed.imageStatus('rotten')?.state === 'ready' ? true : undefined), { describe: () => second.tail() });
    assert.ok(readFileSync(rottenFile()).equals(rotten.data));
    assert.ok(existsSync(join(cacheDir, cachedImageFileName(good.sha256))));
  });
});
