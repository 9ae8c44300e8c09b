// The image cache budget on a real, small file system: the agent's cache directory is an 8 MiB
// tmpfs and the agent keeps 25% of it (2 MiB) free. Two images of 2.5 MiB fit; a third does not,
// so it is not downloaded but reported (node annotation, an Event, `kubectl berth images`). Once a
// VM uses the third, the agent evicts the least recently used image no VM uses to make room, and
// only that one; the evicted image then waits as NoRoom instead of evicting in its turn.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedImageFileName } from '../../../../agent/node/images/files.js';
import { LauncherEnv, Labels } from '../../../../shared/contract.js';
import { AgentProcess, AgentTestbed } from '../../../support/agent-process.js';
import { applyJson, kubectlSync, requireCluster } from '../../../support/cluster.js';
import { eventually } from '../../../support/eventually.js';
import { ImageServer, randomImage } from '../../../support/image-server.js';
import { berthOk } from '../../../support/plugin.js';
import { skipLoudly } from '../../../support/skip.js';

const SIZE = 2.5 * 1024 * 1024;

describe('node agent: image cache budget (agent process, 8 MiB tmpfs, local cluster)', function () {
  this.timeout(120_000);
  const bed = new AgentTestbed('budget');
  const ns = bed.namespace;
  const server = new ImageServer();
  const images = { a: randomImage(SIZE), b: randomImage(SIZE), c: randomImage(SIZE) };
  let mnt: string | undefined;
  let agent: AgentProcess | undefined;
  const status = (name: string) => bed.imageStatus(name);
  const file = (name: keyof typeof images) => join(mnt!, cachedImageFileName(images[name].sha256));
  const events = () => bed.events();
  const setCatalog = (names: (keyof typeof images)[]) => bed.setCatalog(Object.fromEntries(names.map((n) => [n, { url: server.url(`/${n}.qcow2`), sha256: images[n].sha256, size: SIZE }])));
  /** A VM StatefulSet naming `name` as its base; its pod matches no node, so nothing runs. */
  const vmUsing = (vm: string, name: keyof typeof images) =>
    applyJson({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: vm, namespace: ns, labels: { [Labels.vm]: vm } },
      spec: {
        replicas: 1,
        serviceName: vm,
        selector: { matchLabels: { [Labels.vm]: vm } },
        template: {
          metadata: { labels: { [Labels.vm]: vm } },
          spec: { nodeSelector: { 'berth.dev/t-no-such-node': 'true' }, containers: [{ name: 'vm', image: 'localhost/busybox:local', env: [{ name: LauncherEnv.imageSha256, value: images[name].sha256 }] }] },
        },
      },
    });

  before(async function () {
    if (process.getuid?.() !== 0) skipLoudly(this, 'mounting the small tmpfs the cache lives on needs root');
    await requireCluster();
    mnt = mkdtempSync(join(tmpdir(), 't-agent-budget-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'berth-test', mnt]);
    await server.start();
    for (const name of Object.keys(images) as (keyof typeof images)[]) server.serve(`/${name}.qcow2`, images[name].data);
    bed.create();
    setCatalog(['a', 'b']);
    agent = new AgentProcess([...(await bed.agentArgs(mnt)), '--resync-interval', '1s', '--disk-reserve', '25%'], { NODE_NAME: bed.node });
    agent.start();
  });

  after(async () => {
    await agent?.stop();
    await server.stop();
    if (mnt) {
      await bed.remove();
      try {
        execFileSync('umount', [mnt]);
      } catch {
        /* not mounted */
      }
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('caches what fits', async () => {
    await eventually('a and b ready', 30_000, () => (status('a')?.state === 'ready' && status('b')?.state === 'ready' ? true : undefined), { describe: () => agent!.tail() });
  });

  it('does not start an image that does not fit, and says so on the node, in an Event and in `kubectl berth images`', async () => {
    setCatalog(['a', 'b', 'c']);
    const s = await eventually('c no-room', 30_000, () => (status('c')?.state === 'no-room' ? status('c') : undefined), { describe: () => agent!.tail() });
    assert.match(s.error ?? '', /^does not fit the node's image cache budget: it needs 2\.5MiB and the budget leaves 1\.0MiB \(keeping 25% of the file system \(2\.0MiB\) free\); no VM uses it, so no other image is evicted for it$/);
    assert.equal(server.requestsFor('/c.qcow2').length, 0, 'not a byte of it was fetched');
    assert.ok(existsSync(file('a')) && existsSync(file('b')), 'nothing was evicted for it');
    await eventually('an ImageDoesNotFit event', 10_000, () => (events().some((e) => e.reason === 'ImageDoesNotFit' && e.type === 'Warning' && /^image c: does not fit/.test(e.message)) ? true : undefined));
    const table = await berthOk(['images', '-o', 'wide'], { env: { BERTH_CATALOG_NAMESPACE: ns } });
    const row = table.stdout.split('\n').find((l) => l.startsWith('c '));
    assert.match(row ?? '', /^c\s+NoRoom\s.*\bno-room\b.*does not fit the node's image cache budget/, table.stdout);
  });

  it('evicts the least recently used image no VM uses to make room for one a VM uses, and no other', async () => {
    // a is used by a VM for a while, so it was used more recently than b, which no VM ever used.
    vmUsing('vm-a', 'a');
    await eventually('a used more recently than b', 20_000, () => (statSync(file('a')).mtimeMs > statSync(file('b')).mtimeMs ? true : undefined), { describe: () => agent!.tail() });
    kubectlSync(['delete', 'statefulset', 'vm-a', '-n', ns, '--wait=false']);
    vmUsing('vm-c', 'c');
    await eventually('c ready', 30_000, () => (status('c')?.state === 'ready' ? true : undefined), { describe: () => agent!.tail() });
    assert.ok(!existsSync(file('b')), 'b, the least recently used, was evicted');
    assert.ok(existsSync(file('a')), 'a, used more recently, was kept');
    assert.ok(events().some((e) => e.reason === 'ImageEvicted' && /^image b: evicted to make room for image c, which a VM uses/.test(e.message)), 'an ImageEvicted event');
    // b does not fit now and, since no VM uses it, evicts nothing: it waits, measured again at
    // every resync, without a download.
    const b = await eventually('b measured again as not fitting', 20_000, () => (/^does not fit/.test(status('b')?.error ?? '') ? status('b') : undefined), { describe: () => agent!.tail() });
    assert.equal(b!.state, 'no-room');
    assert.equal(server.requestsFor('/b.qcow2').length, 1, 'b was fetched once, before the eviction');
    assert.ok(existsSync(file('a')) && existsSync(file('c')));
    kubectlSync(['delete', 'statefulset', 'vm-c', '-n', ns, '--wait=false']);
  });
});
