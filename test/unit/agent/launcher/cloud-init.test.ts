import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { seedFiles, seedIdentity, seedIsoCommand } from '../../../../agent/launcher/cloud-init.js';

const b = (text: string) => Buffer.from(text, 'utf8');
const text = (files: { name: string; content: Buffer }[]) => files.map((f) => ({ name: f.name, content: f.content.toString('utf8') }));
const userData = b('#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAA\n');
const identity = seedIdentity('team-a', 'web-1', { userData });

describe('cloud-init seed', () => {
  it('derives the instance-id from the VM and the seed: the same seed keeps it, across restarts', () => {
    assert.match(identity.instanceId, /^berth-[0-9a-f]{16}$/);
    assert.equal(identity.hostname, 'web-1');
    assert.deepEqual(seedIdentity('team-a', 'web-1', { userData: b(userData.toString()) }), identity);
  });

  it('a new instance-id when the user-data, meta-data or network-config changes, so cloud-init applies the edit', () => {
    const ids = new Set([
      identity.instanceId,
      seedIdentity('team-a', 'web-1', { userData: b('#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 BBBB\n') }).instanceId,
      seedIdentity('team-a', 'web-1', { userData, metaData: 'public-keys: [ssh-ed25519 CCCC]\n' }).instanceId,
      seedIdentity('team-a', 'web-1', { userData, networkConfig: b('version: 2\n') }).instanceId,
      seedIdentity('team-b', 'web-1', { userData }).instanceId,
    ]);
    assert.equal(ids.size, 5);
    // meta-data's own instance-id line is not part of what it hashes
    assert.equal(seedIdentity('team-a', 'web-1', { userData, metaData: 'instance-id: old\n' }).instanceId, identity.instanceId);
  });

  it('writes meta-data and user-data when the Secret has only user-data', () => {
    assert.deepEqual(text(seedFiles({ userData }, identity)), [
      { name: 'meta-data', content: `instance-id: ${identity.instanceId}\nlocal-hostname: web-1\n` },
      { name: 'user-data', content: userData.toString() },
    ]);
  });

  it("keeps the Secret's meta-data and completes only what it lacks; an instance-id it sets is a pin", () => {
    const [meta] = seedFiles({ metaData: 'local-hostname: db\nfoo: bar', userData: b('') }, identity);
    assert.equal(meta.content.toString(), `local-hostname: db\nfoo: bar\ninstance-id: ${identity.instanceId}\n`);
    const [full] = seedFiles({ metaData: 'instance-id: mine\nlocal-hostname: db\n' }, identity);
    assert.equal(full.content.toString(), 'instance-id: mine\nlocal-hostname: db\n');
  });

  it('gives an empty #cloud-config without user-data and passes network-config through', () => {
    const files = seedFiles({ networkConfig: b('version: 2\n') }, identity);
    assert.deepEqual(files.map((f) => f.name), ['meta-data', 'user-data', 'network-config']);
    assert.equal(files[1].content.toString(), '#cloud-config\n');
    assert.equal(files[2].content.toString(), 'version: 2\n');
  });

  it('passes binary user-data (gzip) through byte for byte', () => {
    const gzip = gzipSync(b('#cloud-config\nusers: [alice]\n'));
    assert.ok(!b(gzip.toString('utf8')).equals(gzip), 'not valid UTF-8: a text round trip would break it');
    assert.ok(seedFiles({ userData: gzip }, identity)[1].content.equals(gzip));
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
