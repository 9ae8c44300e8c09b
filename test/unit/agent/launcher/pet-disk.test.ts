import assert from 'node:assert/strict';
import { petDiskProblem, sha256FromCacheName, targetDiskSize, type ExistingPetDisk } from '../../../../agent/launcher/pet-disk.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const cached = `/var/lib/berth/images/${A}.qcow2`;

function disk(overrides: Partial<ExistingPetDisk> = {}): ExistingPetDisk {
  return {
    info: { format: 'qcow2', 'virtual-size': 1 << 30, 'backing-filename': cached, 'full-backing-filename': cached },
    origin: { sha256: A, base: cached, createdAt: '2026-01-01T00:00:00Z' },
    backingExists: true,
    expectedSha256: A,
    petDisk: '/var/lib/berth/disk/pet.qcow2',
    ...overrides,
  };
}

describe('pet disk checks', () => {
  it('accepts an overlay on the base image it was made on', () => {
    assert.equal(petDiskProblem(disk()), undefined);
  });

  it('refuses when the backing file is missing, naming it and the image', () => {
    const problem = petDiskProblem(disk({ backingExists: false }));
    assert.match(problem!.message, new RegExp(`backing file ${cached} is missing \\(base image sha256 ${A}\\)`));
    assert.match(problem!.hint, /delete \/var\/lib\/berth\/disk\/pet\.qcow2/);
  });

  it('refuses when the VM now asks for another image', () => {
    const problem = petDiskProblem(disk({ expectedSha256: B }));
    assert.match(problem!.message, new RegExp(`made on base image sha256 ${A}, but the VM now asks for sha256 ${B}`));
  });

  it('refuses when the backing file is not the one it was made on', () => {
    const other = '/var/lib/berth/disk/base.qcow2';
    const problem = petDiskProblem(disk({ info: { format: 'qcow2', 'virtual-size': 1, 'backing-filename': other } }));
    assert.match(problem!.message, new RegExp(`backing file is ${other}, but it was made on ${cached}`));
  });

  it('reads the image from a content-addressed backing name when the record is gone', () => {
    assert.equal(petDiskProblem(disk({ origin: undefined })), undefined);
    assert.match(petDiskProblem(disk({ origin: undefined, expectedSha256: B }))!.message, /made on base image sha256 a{64}/);
    const unknown = petDiskProblem(disk({ origin: undefined, info: { format: 'qcow2', 'virtual-size': 1, 'backing-filename': '/x/base.qcow2' } }));
    assert.match(unknown!.message, /cannot tell which base image/);
  });

  it('skips the image comparison for a URL image without a checksum', () => {
    assert.equal(petDiskProblem(disk({ expectedSha256: undefined })), undefined);
  });

  it('refuses a pet disk that is not qcow2', () => {
    assert.match(petDiskProblem(disk({ info: { format: 'raw', 'virtual-size': 1 } }))!.message, /is raw, not qcow2/);
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
