import assert from 'node:assert/strict';
import { checkReusedDiskSize, outcomeUnknown } from '../../../../src/kube/vm-create.js';

describe('kube/vm-create outcomeUnknown: whether a failed create may have been stored', () => {
  const answered = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code, body: '{}' });
  it('no answer at all (reset, hang-up, timeout) may have been stored', () => {
    assert.equal(outcomeUnknown(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), true);
    assert.equal(outcomeUnknown(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })), true);
  });
  it('a server that did not finish deciding (408, 5xx) may have stored it', () => {
    for (const code of [408, 500, 502, 503, 504]) assert.equal(outcomeUnknown(answered(code)), true, String(code));
  });
  it("the server's definite no is not in doubt", () => {
    for (const code of [400, 401, 403, 404, 409, 422, 429]) assert.equal(outcomeUnknown(answered(code)), false, String(code));
  });
});

describe('kube/vm-create checkReusedDiskSize: --reuse-disk never grows a disk past its claim', () => {
  const pvc = (storage: string) => ({ status: { capacity: { storage } } });
  const vm = (sizeBytes: number, sizeGiven: boolean) => ({ name: 'web', namespace: 'team-a', disk: { kind: 'pvc' as const, sizeBytes, reuse: true, sizeGiven }, image: { source: 'x', url: 'https://x/y.qcow2' } });
  it('refuses a --disk-size larger than the claim, with the two ways out', () => {
    assert.throws(() => checkReusedDiskSize(pvc('10Gi'), vm(40 * 2 ** 30, true)), (e: any) =>
      e.message === "--disk-size 40Gi is larger than the disk to reuse: PersistentVolumeClaim 'disk-web-0' holds 10Gi"
      && e.oclif.exit === 2
      && /kubectl patch pvc disk-web-0 -n team-a -p '\{"spec":\{"resources":\{"requests":\{"storage":"\d+Mi"\}\}\}\}'/.test(e.suggestions[0])
      && /drop --disk-size/.test(e.suggestions[1]));
  });
  it('lets a size that fits through, and a reuse without --disk-size (the disk keeps its size)', () => {
    assert.doesNotThrow(() => checkReusedDiskSize(pvc('10Gi'), vm(10 * 2 ** 30, true)));
    assert.doesNotThrow(() => checkReusedDiskSize(pvc('1Gi'), vm(10 * 2 ** 30, false)));
  });
});
