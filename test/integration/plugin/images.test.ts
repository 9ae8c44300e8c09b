// kubectl berth images add / rm / images against the real API server: the ConfigMap changes
// exactly by one key, listing shows the entry, and mistakes exit with the documented codes.
//
// The plugin is pointed at a catalog namespace of this test's own (BERTH_CATALOG_NAMESPACE, see
// catalogNamespace in shared/contract.ts), never at berth-system, so the test sees the same thing
// whether or not berth is installed on the shared cluster: an installed agent watches only
// berth-system/berth-images, so it never downloads what this test adds, and the not-installed path
// is shown before the test's namespace exists, with berth installed or not.
import assert from 'node:assert/strict';
import { Annotations, Catalog, LabelValues, Labels } from '../../../shared/contract.js';
import { kubectlJsonSync, kubectlSync, requireCluster, uniqueSuffix } from '../../support/cluster.js';
import { berth } from '../../support/plugin.js';

const sha = 'c0ffee'.repeat(10) + 'c0ff';

describe('kubectl berth images add/rm (plugin, local cluster)', function () {
  this.timeout(60_000);
  const suffix = uniqueSuffix();
  const ns = `t-agent-catalog-${suffix}`;
  const env = { BERTH_CATALOG_NAMESPACE: ns };
  const name = `t-agent-${suffix}`;
  const first = `t-agent-first-${suffix}`;
  const images = (args: string[]) => berth(['images', ...args], { env });

  before(() => requireCluster());
  after(() => {
    try {
      kubectlSync(['delete', 'namespace', ns, '--wait=false']);
    } catch {
      /* never created, or already gone */
    }
  });

  const catalog = () => kubectlJsonSync(['get', 'configmap', Catalog.configMap, '-n', ns]) as { metadata: { labels?: Record<string, string> }; data?: Record<string, string> };

  it('without the catalog\'s namespace, says berth is not installed and how to fix it (exit 3)', async () => {
    for (const args of [['add', name, '--url', 'http://example.com/x.qcow2', '--sha256', sha], ['rm', name], []]) {
      const r = await images(args);
      assert.equal(r.exitCode, 3, `images ${args.join(' ')}: ${r.stderr}`);
      const { message } = r;
      assert.match(message, new RegExp(`namespace ${ns} does not exist: berth is not installed on this cluster`));
      assert.match(message, /Try this: run kubectl berth install/);
      assert.equal(r.stdout, '');
    }
  });

  it('creates the catalog ConfigMap when the namespace has none', async () => {
    kubectlSync(['create', 'namespace', ns]);
    const r = await images(['add', first, '--url', 'http://127.0.0.1:9/first.qcow2', '--sha256', sha]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, `image/${first} added\n`);
    const cm = catalog();
    assert.deepEqual(cm.data, { [first]: JSON.stringify({ url: 'http://127.0.0.1:9/first.qcow2', sha256: sha }) });
    assert.equal(cm.metadata.labels?.[Labels.managedBy], LabelValues.managedBy);
  });

  it('adds an entry (one key, JSON value) and lists it', async () => {
    const before = catalog().data ?? {};
    const r = await images(['add', name, '--url', 'http://127.0.0.1:9/none.qcow2', '--sha256', sha.toUpperCase(), '--size', '4096']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, `image/${name} added\n`);
    const after = catalog().data ?? {};
    assert.deepEqual(JSON.parse(after[name]), { url: 'http://127.0.0.1:9/none.qcow2', sha256: sha, size: 4096 });
    assert.deepEqual(Object.keys(after).sort(), [...Object.keys(before), name].sort());
    for (const key of Object.keys(before)) assert.equal(after[key], before[key], `${key} was left alone`);
    const listed = JSON.parse((await images(['-o', 'json'])).stdout).items.find((i: any) => i.name === name);
    assert.deepEqual([listed.url, listed.sha256, listed.size], ['http://127.0.0.1:9/none.qcow2', sha, 4096]);
    assert.deepEqual((await images(['-o', 'name'])).stdout.trimEnd().split('\n').sort(), [`image/${first}`, `image/${name}`].sort());
    // No agent reads this catalog, so every node running an agent (those with an image-cache
    // annotation: none, or berth-node when berth is installed) reports nothing about the entry yet.
    const nodes = (kubectlJsonSync(['get', 'nodes']).items as any[]).filter((n) => n.metadata.annotations?.[Annotations.nodeImageCache] !== undefined);
    const status = nodes.length > 0 ? 'Pending' : 'NoAgents';
    const table = (await images([])).stdout;
    assert.match(table, /^NAME\s+STATUS\s+READY\s+SIZE\s+SHA256$/m);
    assert.match(table, new RegExp(`^${name}\\s+${status}\\s+0/${nodes.length}\\s+4\\.0KiB\\s+${sha.slice(0, 12)}$`, 'm'));
  });

  it('refuses a second add with other values (exit 4) and accepts the same values again', async () => {
    const other = await images(['add', name, '--url', 'http://127.0.0.1:9/other.qcow2', '--sha256', sha]);
    assert.equal(other.exitCode, 4);
    assert.match(other.message, new RegExp(`already in the catalog \\(configmap/${Catalog.configMap} in namespace ${ns}\\)`));
    const same = await images(['add', name, '--url', 'http://127.0.0.1:9/none.qcow2', '--sha256', sha, '--size', '4096']);
    assert.equal(same.exitCode, 0, same.stderr);
  });

  it('rejects bad input before touching the cluster (exit 2)', async () => {
    for (const args of [['Bad_Name', '--url', 'http://x/y', '--sha256', sha], ['ok', '--url', 'ftp://x/y', '--sha256', sha], ['ok', '--url', 'http://x/y', '--sha256', 'abc']]) {
      const r = await images(['add', ...args]);
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    }
  });

  it('removes the entry, and says so when it is not there (exit 3)', async () => {
    const r = await images(['rm', name, '-o', 'name']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, `image/${name}\n`, '-o name prints the name alone');
    const left = catalog().data ?? {};
    assert.equal(left[name], undefined);
    assert.ok(left[first], 'the other entry stays');
    const again = await images(['rm', name]);
    assert.equal(again.exitCode, 3);
    assert.match(again.stderr, /is not in the catalog/);
  });
});
