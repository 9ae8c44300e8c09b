import assert from 'node:assert/strict';
import { planRoom, type RoomInput } from '../../../../../agent/node/images/budget.js';

const MiB = 2 ** 20;
const base: RoomInput = { needed: 3 * MiB, freeBytes: 10 * MiB, totalBytes: 10 * MiB, reserve: { percent: 20 }, cacheBytes: 0, evictable: [] };
const image = (sha256: string, mib: number, lastUsedMs: number) => ({ sha256, bytes: mib * MiB, lastUsedMs });

describe('planRoom: the image cache budget', () => {
  it('lets an image through that leaves the reserve free', () => {
    assert.deepEqual(planRoom(base), { fits: true, evict: [] });
    assert.deepEqual(planRoom({ ...base, freeBytes: 5 * MiB }), { fits: true, evict: [] }); // 5 - 3 = 2 = 20% of 10
  });
  it('refuses one that would eat into the reserve, saying how much was missing', () => {
    const plan = planRoom({ ...base, freeBytes: 4 * MiB });
    assert.deepEqual(plan, { fits: false, problem: 'it needs 3.0MiB and the budget leaves 2.0MiB (keeping 20% of the file system (2.0MiB) free)' });
  });
  it('counts a reserve in bytes and a cap on the cache', () => {
    assert.equal(planRoom({ ...base, reserve: { bytes: 8 * MiB } }).fits, false);
    const capped = planRoom({ ...base, cacheMax: 4 * MiB, cacheBytes: 2 * MiB });
    assert.deepEqual(capped, { fits: false, problem: 'it needs 3.0MiB and the budget leaves 2.0MiB (keeping 20% of the file system (2.0MiB) free and holding at most 4.0MiB in all)' });
  });
  it('evicts the least recently used images first, and no more than it must', () => {
    const evictable = [image('recent', 2, 300), image('oldest', 1, 100), image('older', 1, 200)];
    assert.deepEqual(planRoom({ ...base, freeBytes: 3 * MiB, evictable }), { fits: true, evict: ['oldest', 'older'] });
    assert.deepEqual(planRoom({ ...base, freeBytes: 1 * MiB, evictable }), { fits: true, evict: ['oldest', 'older', 'recent'] });
  });
  it('evicts nothing when even every evictable image would not make room', () => {
    const plan = planRoom({ ...base, freeBytes: 1 * MiB, evictable: [image('a', 1, 1)] });
    assert.equal(plan.fits, false);
  });
  it('frees room under the cap by eviction too', () => {
    assert.deepEqual(planRoom({ ...base, cacheMax: 4 * MiB, cacheBytes: 3 * MiB, evictable: [image('a', 1, 1), image('b', 2, 2)] }), { fits: true, evict: ['a', 'b'] });
  });
});
