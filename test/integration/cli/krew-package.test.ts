// Builds the krew archive with manifests/krew/package.sh, then checks what krew would check and
// what a user would meet: the manifest's sha256 is the archive's, the bin is in it and runs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { krewManifestProblems, type KrewManifest } from '../../support/krew-manifest.js';
import { repo as root } from '../../support/repo.js';

const node = join(root, 'node_modules', 'node', 'bin', 'node');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

describe('krew packaging (manifests/krew/package.sh)', function () {
  this.timeout(180_000);
  let out: string;
  let manifest: KrewManifest;
  let archive: string;
  let listing: string[];

  before(() => {
    out = mkdtempSync(join(tmpdir(), 't-citizenship-krew-'));
    execFileSync(join(root, 'manifests', 'krew', 'package.sh'), [out], { stdio: ['ignore', 'ignore', 'pipe'] });
    manifest = parse(readFileSync(join(out, 'berth.yaml'), 'utf8')) as KrewManifest;
    archive = join(out, `kubectl-berth_v${pkg.version}.tar.gz`);
    listing = execFileSync('tar', ['-tvzf', archive], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  const entry = (path: string) => listing.find((line) => line.endsWith(` ./${path}`));

  it('writes a manifest krew accepts, at the version of package.json', () => {
    assert.deepEqual(krewManifestProblems(manifest, 'berth.yaml'), []);
    assert.equal(manifest.spec?.version, `v${pkg.version}`);
  });

  it("every platform's sha256 is the archive's and its uri names the archive", () => {
    const sha = createHash('sha256').update(readFileSync(archive)).digest('hex');
    for (const p of manifest.spec?.platforms ?? []) {
      assert.equal(p.sha256, sha);
      assert.ok(p.uri?.endsWith(`/kubectl-berth_v${pkg.version}.tar.gz`), p.uri);
    }
  });

  it('the archive holds the executable bin, the completer, the bundle (with the page of vnc --web) and the manifests install applies, and no node_modules', () => {
    for (const p of manifest.spec?.platforms ?? []) assert.match(entry(p.bin!) ?? '', /^-rwx/, `${p.bin} missing or not executable`);
    assert.match(entry('bin/kubectl_complete-berth') ?? '', /^-rwx/);
    for (const path of ['oclif.manifest.json', 'dist/plugin/berth.js', 'dist/plugin/complete.js', 'dist/plugin/command-table.json', 'dist/plugin/web/index.html', 'dist/plugin/web/page.js', 'dist/help/root.txt', 'package.json', 'manifests/kustomization.yaml', 'manifests/daemonset.yaml']) {
      assert.ok(entry(path), `${path} missing`);
    }
    // The bundle holds every dependency the plugin runs with.
    for (const dev of ['node_modules/', 'dist/src/', 'dist/test/', 'dist/agent/']) {
      assert.ok(!listing.some((l) => l.includes(` ./${dev}`)), `${dev} should not ship`);
    }
  });

  it('unpacked, the plugin runs and completes', () => {
    const unpacked = join(out, 'unpacked');
    execFileSync('mkdir', ['-p', unpacked]);
    execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
    const env = { ...process.env, BERTH_NODE: node, KUBECONFIG: '/nonexistent' };
    assert.equal(execFileSync(join(unpacked, 'bin', 'kubectl-berth'), ['version', '--client'], { encoding: 'utf8', env }), `Client Version: ${pkg.version}\n`);
    const table = join(unpacked, 'dist', 'plugin', 'command-table.json');
    const before = statSync(table).mtimeMs;
    const completion = execFileSync(join(unpacked, 'bin', 'kubectl_complete-berth'), ['vers'], { encoding: 'utf8', env });
    assert.match(completion, /^version\t.*\n:4\n$/);
    assert.equal(statSync(table).mtimeMs, before, 'the shipped completion table was stale and got rebuilt');
    // The krew caveats send users to `kubectl berth install`: it must find the manifests it applies.
    const planned = execFileSync(join(unpacked, 'bin', 'kubectl-berth'), ['install', '--dry-run', '-o', 'name'], { encoding: 'utf8', env });
    assert.match(planned, /^daemonset\.apps\//m);
  });
});
