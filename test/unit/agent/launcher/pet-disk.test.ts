import assert from 'node:assert/strict';
import { petDiskPlan, sha256FromCacheName, targetDiskSize, type ExistingPetDisk, type PetDiskPlan } from '../../../../agent/launcher/pet-disk.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const cached = `/var/lib/berth/images/${A}.qcow2`;
const local = '/var/lib/berth/disk/base.qcow2';
const url = 'http://images.example/guest.qcow2';

function disk(overrides: Partial<ExistingPetDisk> = {}): ExistingPetDisk {
  return {
    info: { format: 'qcow2', 'virtual-size': 1 << 30, 'backing-filename': cached, 'full-backing-filename': cached },
    origin: { sha256: A, base: cached, createdAt: '2026-01-01T00:00:00Z' },
    backingExists: true,
    expectedSha256: A,
    imageUrl: url,
    petDisk: '/var/lib/berth/disk/pet.qcow2',
    localBase: local,
    localBaseExists: false,
    ...overrides,
  };
}

function refused(plan: PetDiskPlan) {
  assert.equal(plan.action, 'refuse', JSON.stringify(plan));
  return (plan as Extract<PetDiskPlan, { action: 'refuse' }>).problem;
}

describe('pet disk plan', () => {
  it('boots an overlay on the base image it was made on', () => {
    assert.deepEqual(petDiskPlan(disk()), { action: 'boot' });
  });

  it('restores a missing base by the sha256 it was made on, from the URL the VM records', () => {
    assert.deepEqual(petDiskPlan(disk({ backingExists: false })), { action: 'restore', sha256: A, url, backing: cached });
  });

  it('restores from the copy on the pet volume when the VM records no URL', () => {
    assert.deepEqual(petDiskPlan(disk({ backingExists: false, imageUrl: undefined, localBaseExists: true })), { action: 'restore', sha256: A, backing: cached });
  });

  it('refuses a missing base with neither a URL nor a copy, naming the sha256 to put in the catalog', () => {
    const problem = refused(petDiskPlan(disk({ backingExists: false, imageUrl: undefined })));
    assert.match(problem.message, new RegExp(`backing file ${cached} is missing \\(base image sha256 ${A}\\) and the VM records no image URL`));
    assert.match(problem.hint, new RegExp(`Add an image with sha256 ${A} to the catalog`));
    assert.match(problem.hint, /delete \/var\/lib\/berth\/disk\/pet\.qcow2/);
  });

  it('never restores a base other than the one the disk was made on', () => {
    const problem = refused(petDiskPlan(disk({ backingExists: false, expectedSha256: B })));
    assert.match(problem.message, new RegExp(`made on base image sha256 ${A}, but the VM now asks for sha256 ${B}`));
  });

  it('a URL image without a checksum restores by the sha256 the launcher recorded when it made the disk', () => {
    const onVolume = disk({ info: { format: 'qcow2', 'virtual-size': 1, 'backing-filename': local }, origin: { sha256: B, base: local, createdAt: 'x' }, expectedSha256: undefined, backingExists: false });
    assert.deepEqual(petDiskPlan(onVolume), { action: 'restore', sha256: B, url, backing: local });
  });

  it('accepts an overlay already pointed at the volume\'s copy when the record still names the cache (a restore cut short)', () => {
    assert.deepEqual(petDiskPlan(disk({ info: { format: 'qcow2', 'virtual-size': 1, 'backing-filename': local } })), { action: 'boot' });
  });

  it('refuses when the VM now asks for another image', () => {
    assert.match(refused(petDiskPlan(disk({ expectedSha256: B }))).message, new RegExp(`made on base image sha256 ${A}, but the VM now asks for sha256 ${B}`));
  });

  it('refuses when the backing file is neither the one it was made on nor the volume\'s copy', () => {
    const other = '/somewhere/else.qcow2';
    const problem = refused(petDiskPlan(disk({ info: { format: 'qcow2', 'virtual-size': 1, 'backing-filename': other } })));
    assert.match(problem.message, new RegExp(`backing file is ${other}, but it was made on ${cached}`));
  });

  it('reads the image from a content-addressed backing name when the record is gone', () => {
    assert.deepEqual(petDiskPlan(disk({ origin: undefined })), { action: 'boot' });
    assert.deepEqual(petDiskPlan(disk({ origin: undefined, backingExists: false })), { action: 'restore', sha256: A, url, backing: cached });
    assert.match(refused(petDiskPlan(disk({ origin: undefined, expectedSha256: B }))).message, /made on base image sha256 a{64}/);
    const unknown = { origin: undefined, info: { format: 'qcow2', 'virtual-size': 1, 'backing-filename': '/x/base.qcow2' } };
    assert.match(refused(petDiskPlan(disk(unknown))).message, /cannot tell which base image/);
    assert.match(refused(petDiskPlan(disk({ ...unknown, backingExists: false }))).message, /cannot tell which base image .* \(missing\)/);
  });

  it('skips the image comparison for a URL image without a checksum', () => {
    assert.deepEqual(petDiskPlan(disk({ expectedSha256: undefined })), { action: 'boot' });
  });

  it('boots a self-contained (flattened) disk without looking for a base', () => {
    assert.deepEqual(petDiskPlan(disk({ info: { format: 'qcow2', 'virtual-size': 1 }, backingExists: false })), { action: 'boot' });
  });

  it('refuses a pet disk that is not qcow2', () => {
    assert.match(refused(petDiskPlan(disk({ info: { format: 'raw', 'virtual-size': 1 } }))).message, /is raw, not qcow2/);
  });

  it('recognises cache names', () => {
    assert.equal(sha256FromCacheName(cached), A);
    assert.equal(sha256FromCacheName('/x/base.qcow2'), undefined);
    assert.equal(sha256FromCacheName(`/x/${A}.img`), undefined);
  });

  it('grows disks and never shrinks them', () => {
    assert.deepEqual(targetDiskSize(undefined, 100), {});
    assert.deepEqual(targetDiskSize(100, 100), {});
    assert.deepEqual(targetDiskSize(200, 100), { grow: 200 });
    assert.match(targetDiskSize(50, 100).note!, /disks only grow/);
  });
});
