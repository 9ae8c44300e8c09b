import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { krewManifestProblems, type KrewManifest } from '../../support/krew-manifest.js';
import { repo as root } from '../../support/repo.js';

const manifest = parse(readFileSync(join(root, 'manifests', 'krew', 'berth.yaml'), 'utf8')) as KrewManifest;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

describe('krew manifest (manifests/krew/berth.yaml)', () => {
  it('has every field krew requires', () => {
    assert.deepEqual(krewManifestProblems(manifest, 'berth.yaml'), []);
  });

  it('has the version of package.json', () => {
    assert.equal(manifest.spec?.version, `v${pkg.version}`);
  });

  it('installs kubectl-berth on Linux and macOS, amd64 and arm64', () => {
    const platforms = (manifest.spec?.platforms ?? []).map((p) => `${p.selector?.matchLabels?.os}/${p.selector?.matchLabels?.arch}`).sort();
    assert.deepEqual(platforms, ['darwin/amd64', 'darwin/arm64', 'linux/amd64', 'linux/arm64']);
    for (const p of manifest.spec?.platforms ?? []) assert.equal(p.bin, 'bin/kubectl-berth');
  });

  it('the validator catches what krew would refuse', () => {
    const broken: KrewManifest = { ...manifest, metadata: { name: 'Berth' }, spec: { ...manifest.spec, version: '0.1.0', platforms: [{ uri: 'http://x/a.tgz', sha256: 'abc', bin: '../x', files: [] }] } };
    const problems = krewManifestProblems(broken, 'berth.yaml');
    for (const expected of [/metadata.name must be lower-case/, /match the file name/, /semver with a v prefix/, /selector/, /uri/, /sha256/, /bin/, /files/]) {
      assert.ok(problems.some((p) => expected.test(p)), `no problem matching ${expected}: ${problems.join('; ')}`);
    }
  });
});
