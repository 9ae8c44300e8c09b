import assert from 'node:assert/strict';
import { classifyCacheFiles, filesToRemove, partialFileName, validatorFileName } from '../../../../../agent/node/images/files.js';
import { imagesInUse, vmPodsOf } from '../../../../../agent/node/images/in-use.js';
import { DeviceResources } from '../../../../../shared/contract.js';
import { HttpStatusError, ifRange, interpretResponse, validatorOf } from '../../../../../agent/common/range.js';
import { backoffDelay } from '../../../../../agent/node/images/retry.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

describe('validatorOf: what a partial file may be resumed against', () => {
  it('a strong ETag first, else Last-Modified, never a weak ETag', () => {
    const lm = 'Sun, 06 Dec 2026 07:00:00 GMT';
    assert.deepEqual(validatorOf({ etag: '"abc"', 'last-modified': lm }), { etag: '"abc"' });
    assert.deepEqual(validatorOf({ etag: 'W/"abc"', 'last-modified': lm }), { lastModified: lm });
    assert.equal(validatorOf({ etag: 'W/"abc"' }), undefined);
    assert.equal(validatorOf({}), undefined);
    assert.equal(ifRange({ etag: '"abc"' }), '"abc"');
    assert.equal(ifRange({ lastModified: lm }), lm);
  });
});

describe('interpretResponse', () => {
  it('200 to a plain GET: the whole file', () => {
    assert.deepEqual(interpretResponse(200, 0, { 'content-length': '100' }), { action: 'restart', total: 100 });
  });
  it('200 to a range request: the server ignored Range, start over', () => {
    assert.deepEqual(interpretResponse(200, 40, { 'content-length': '100' }), { action: 'restart', total: 100 });
  });
  it('206 at the right offset: append', () => {
    assert.deepEqual(interpretResponse(206, 40, { 'content-range': 'bytes 40-99/100' }), { action: 'append', total: 100 });
    assert.deepEqual(interpretResponse(206, 40, { 'content-range': 'bytes 40-99/*' }), { action: 'append', total: undefined });
  });
  it('206 at another offset or without Content-Range is refused', () => {
    assert.throws(() => interpretResponse(206, 40, { 'content-range': 'bytes 0-99/100' }), /resumed at byte 0, not at 40/);
    assert.throws(() => interpretResponse(206, 40, {}), /without a usable Content-Range/);
  });
  it('416 when the partial file already holds everything: complete', () => {
    assert.deepEqual(interpretResponse(416, 100, { 'content-range': 'bytes */100' }), { action: 'complete', total: 100 });
  });
  it('416 otherwise, and 404, are errors with the status', () => {
    assert.throws(() => interpretResponse(416, 120, { 'content-range': 'bytes */100' }), (e: HttpStatusError) => e.status === 416);
    assert.throws(() => interpretResponse(404, 0, {}), (e: HttpStatusError) => e.status === 404 && /HTTP 404/.test(e.message));
  });
});

describe('cache files', () => {
  const listing = classifyCacheFiles([`${A}.qcow2`, `${B}.qcow2`, partialFileName(C), partialFileName(A), validatorFileName(C), 'lost+found', `${A}.qcow2.tmp`]);
  it('tells finished images, partials and others apart', () => {
    assert.deepEqual([...listing.finals].sort(), [A, B]);
    assert.deepEqual([...listing.partials].sort(), [A, C]);
    assert.deepEqual([...listing.validators], [C]);
    assert.deepEqual(listing.others.sort(), [`${A}.qcow2.tmp`, 'lost+found']);
  });
  it('removes what the catalog dropped unless a VM uses it; never a partial still wanted', () => {
    assert.deepEqual(filesToRemove(listing, new Set([A]), new Set()), [`${B}.qcow2`, partialFileName(C), validatorFileName(C)].sort());
    assert.deepEqual(filesToRemove(listing, new Set([A]), new Set([B])), [partialFileName(C), validatorFileName(C)].sort());
    assert.deepEqual(filesToRemove(listing, new Set([A, B, C]), new Set()), []);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the ceiling', () => {
    const p = { initialMs: 1000, maxMs: 5000, factor: 2 };
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(n, p)), [1000, 2000, 4000, 5000, 5000]);
  });
});

describe('imagesInUse', () => {
  const sts = (namespace: string, name: string, sha: string, init = false) => {
    const container = { name: 'vm', env: [{ name: 'BERTH_IMAGE_SHA256', value: sha }, { name: 'OTHER', value: C }] };
    return { metadata: { namespace, name }, spec: { template: { spec: init ? { initContainers: [container], containers: [] } : { containers: [container] } } } };
  };
  it('collects the base sha256 named by every VM StatefulSet, running or stopped (a stopped VM has no pod but its pet disk needs its base)', () => {
    const all = [sts('a', 'web', A.toUpperCase()), sts('a', 'db', B, true), sts('b', 'odd', 'not-a-sha'), { spec: {} }];
    assert.deepEqual([...imagesInUse(['a/web-0'], all)].sort(), [A, B]);
  });
  it('counts a VM\'s install ISO (BERTH_CDROM_SHA256) like its base: it is read again at every start', () => {
    const withCd = { metadata: { namespace: 'a', name: 'inst' }, spec: { template: { spec: { containers: [{ name: 'vm', env: [{ name: 'BERTH_BLANK_DISK', value: 'true' }, { name: 'BERTH_CDROM_SHA256', value: B }] }] } } } };
    assert.deepEqual([...imagesInUse([], [withCd])], [B]);
  });
  it('refuses to answer while a VM pod on the node has no StatefulSet, so nothing it may use is removed', () => {
    assert.throws(() => imagesInUse(['a/web-0', 'b/gone-0'], [sts('a', 'web', A)]), /VM pod b\/gone-0 runs on this node but no VM StatefulSet b\/gone exists/);
  });
  it('takes the VM pods from the kubelet: the pods holding our tun device', () => {
    const list = {
      pod_resources: [
        { name: 'web-0', namespace: 'a', containers: [{ name: 'vm', devices: [{ resource_name: DeviceResources.tun, device_ids: ['tun-001'] }] }] },
        { name: 'nginx-7d9', namespace: 'a', containers: [{ name: 'nginx', devices: [] }] },
        { name: 'gpu-0', namespace: 'b', containers: [{ name: 'c', devices: [{ resource_name: 'nvidia.com/gpu', device_ids: ['0'] }] }] },
      ],
    };
    assert.deepEqual(vmPodsOf(list), ['a/web-0']);
  });
});
