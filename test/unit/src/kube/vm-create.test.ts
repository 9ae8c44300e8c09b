import assert from 'node:assert/strict';
import { largestAllocatableMemory, outcomeUnknown } from '../../../../src/kube/vm-create.js';
import type { V1Node } from '@kubernetes/client-node';

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

describe('kube/vm-create largestAllocatableMemory: the most memory one node can give a pod', () => {
  const node = (memory?: string): V1Node => ({ status: { allocatable: memory === undefined ? {} : { memory } } });
  it('the largest of the nodes, in bytes', () => {
    assert.equal(largestAllocatableMemory([node('8029396Ki'), node('2Gi')]), 8029396 * 1024);
  });
  it('unknown when no node says, or says it in a form not parsed: never "too small"', () => {
    assert.equal(largestAllocatableMemory([]), undefined);
    assert.equal(largestAllocatableMemory([node(), node('1e9')]), undefined);
  });
});
