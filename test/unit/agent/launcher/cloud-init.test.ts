import assert from 'node:assert/strict';
import { seedFiles, seedIdentity, seedIsoCommand } from '../../../../agent/launcher/cloud-init.js';

const identity = seedIdentity('team-a', 'web-1');

describe('cloud-init seed', () => {
  it('derives a stable instance-id and the hostname from the VM', () => {
    assert.deepEqual(identity, { instanceId: 'berth-team-a-web-1', hostname: 'web-1' });
    assert.deepEqual(seedIdentity('team-a', 'web-1'), identity);
  });

  it('writes meta-data and user-data when the Secret has only user-data', () => {
    const files = seedFiles({ userData: '#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAA\n' }, identity);
    assert.deepEqual(files, [
      { name: 'meta-data', content: 'instance-id: berth-team-a-web-1\nlocal-hostname: web-1\n' },
      { name: 'user-data', content: '#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAA\n' },
    ]);
  });

  it("keeps the Secret's meta-data and completes only what it lacks", () => {
    const [meta] = seedFiles({ metaData: 'local-hostname: db\nfoo: bar', userData: '' }, identity);
    assert.equal(meta.content, 'local-hostname: db\nfoo: bar\ninstance-id: berth-team-a-web-1\n');
    const [full] = seedFiles({ metaData: 'instance-id: mine\nlocal-hostname: db\n' }, identity);
    assert.equal(full.content, 'instance-id: mine\nlocal-hostname: db\n');
  });

  it('gives an empty #cloud-config without user-data and passes network-config through', () => {
    const files = seedFiles({ networkConfig: 'version: 2\n' }, identity);
    assert.deepEqual(files.map((f) => f.name), ['meta-data', 'user-data', 'network-config']);
    assert.equal(files[1].content, '#cloud-config\n');
    assert.equal(files[2].content, 'version: 2\n');
  });

  it('packs the seed as volume cidata with genisoimage or xorriso', () => {
    assert.deepEqual(seedIsoCommand('genisoimage', '/r/seed.iso', '/r/seed', ['meta-data', 'user-data']), [
      'genisoimage', '-output', '/r/seed.iso', '-volid', 'cidata', '-joliet', '-rock', '-quiet', '/r/seed/meta-data', '/r/seed/user-data',
    ]);
    const xorriso = seedIsoCommand('xorriso', '/r/seed.iso', '/r/seed', ['meta-data']);
    assert.deepEqual(xorriso.slice(0, 3), ['xorriso', '-as', 'genisoimage']);
    assert.ok(xorriso.includes('cidata'));
  });
});
