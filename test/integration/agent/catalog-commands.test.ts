// kubectl berth images add / rm / images against the real catalog in berth-system: the ConfigMap
// changes exactly by one key, listing shows the entry, and mistakes exit with the documented codes.
// When berth is not installed the test first shows the not-installed error, then applies the
// namespace and catalog manifests itself and removes them again at the end. Every name this test
// adds is unique and removed again.
import assert from 'node:assert/strict';
import { kubectl, kubectlJson, requireCluster, uniqueSuffix } from './support/cluster.js';
import { runPlugin } from './support/plugin.js';
import { skipLoudly } from '../../support/skip.js';

const sha = 'c0ffee'.repeat(10) + 'c0ff';

describe('kubectl berth images add/rm (plugin, local cluster)', function () {
  this.timeout(60_000);
  const name = `t-agent-${uniqueSuffix()}`;
  let installed = false;
  let createdHere = false;

  before(() => {
    requireCluster();
    try {
      kubectl(['get', 'namespace', 'berth-system']);
      installed = true;
    } catch {
      installed = false;
    }
  });
  after(() => {
    runPlugin(['images', 'rm', name, '--ignore-not-found']);
    if (createdHere) kubectl(['delete', '-f', 'manifests/catalog.yaml', '-f', 'manifests/namespace.yaml', '--wait=true']);
  });

  /** The tests below need the catalog: install just the namespace and the catalog when absent. */
  function ensureCatalog(): void {
    if (installed) return;
    kubectl(['apply', '-f', 'manifests/namespace.yaml', '-f', 'manifests/catalog.yaml']);
    installed = true;
    createdHere = true;
  }

  const catalog = () => (kubectlJson(['get', 'configmap', 'berth-images', '-n', 'berth-system']).data ?? {}) as Record<string, string>;

  it('without berth-system, says berth is not installed and how to fix it (exit 3)', function () {
    if (installed) skipLoudly(this, 'berth is installed on the local cluster right now, so the not-installed path cannot be shown');
    const r = runPlugin(['images', 'add', name, '--url', 'http://example.com/x.qcow2', '--sha256', sha]);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /namespace berth-system does not exist/);
    assert.match(r.stderr, /run kubectl berth install/);
  });

  it('adds an entry (one key, JSON value) and lists it', function () {
    ensureCatalog();
    const before = catalog();
    const r = runPlugin(['images', 'add', name, '--url', 'http://127.0.0.1:9/none.qcow2', '--sha256', sha.toUpperCase(), '--size', '4096']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `image/${name} added\n`);
    const after = catalog();
    assert.deepEqual(JSON.parse(after[name]), { url: 'http://127.0.0.1:9/none.qcow2', sha256: sha, size: 4096 });
    for (const key of Object.keys(before)) assert.equal(after[key], before[key], `${key} was left alone`);
    const listed = JSON.parse(runPlugin(['images', '-o', 'json']).stdout).items.find((i: any) => i.name === name);
    assert.deepEqual([listed.url, listed.sha256, listed.size], ['http://127.0.0.1:9/none.qcow2', sha, 4096]);
    assert.match(runPlugin(['images', '-o', 'name']).stdout, new RegExp(`^image/${name}$`, 'm'));
    assert.match(runPlugin(['images']).stdout, /^NAME\s+STATUS\s+READY\s+SIZE\s+SHA256$/m);
    assert.match(runPlugin(['images']).stdout, new RegExp(`^${name}\\s+\\S+\\s+\\d+/\\d+\\s+4\\.0KiB\\s+${sha.slice(0, 12)}$`, 'm'));
  });

  it('refuses a second add with other values (exit 4) and accepts the same values again', function () {
    ensureCatalog();
    const other = runPlugin(['images', 'add', name, '--url', 'http://127.0.0.1:9/other.qcow2', '--sha256', sha]);
    assert.equal(other.status, 4);
    assert.match(other.stderr, /already in the catalog/);
    const same = runPlugin(['images', 'add', name, '--url', 'http://127.0.0.1:9/none.qcow2', '--sha256', sha, '--size', '4096']);
    assert.equal(same.status, 0, same.stderr);
  });

  it('rejects bad input before touching the cluster (exit 2)', () => {
    for (const args of [['Bad_Name', '--url', 'http://x/y', '--sha256', sha], ['ok', '--url', 'ftp://x/y', '--sha256', sha], ['ok', '--url', 'http://x/y', '--sha256', 'abc']]) {
      const r = runPlugin(['images', 'add', ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    }
  });

  it('removes the entry, and says so when it is not there (exit 3)', function () {
    ensureCatalog();
    const r = runPlugin(['images', 'rm', name, '-o', 'name']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `image/${name}\n`, '-o name prints the name alone');
    assert.equal(catalog()[name], undefined);
    const again = runPlugin(['images', 'rm', name]);
    assert.equal(again.status, 3);
    assert.match(again.stderr, /is not in the catalog/);
  });
});
