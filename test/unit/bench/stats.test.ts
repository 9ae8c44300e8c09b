import assert from 'node:assert/strict';
import { median, meetsTarget, pairedRatios, ratioSummary, summarize, throughputs } from '../../bench/stats.js';

describe('bench stats', () => {
  it('takes the middle sample, or the mean of the two middle ones, whatever the order', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
  });

  it('refuses to summarise nothing or a non-finite sample', () => {
    assert.throws(() => median([]), RangeError);
    assert.throws(() => summarize([1, Number.NaN]), RangeError);
  });

  it('summarises runs as count, median, min and max', () => {
    assert.deepEqual(summarize([0.3, 0.1, 0.2, 0.5, 0.4]), { n: 5, median: 0.3, min: 0.1, max: 0.5 });
  });

  it('divides paired runs one by one, so the spread shows the noise that did not cancel', () => {
    assert.deepEqual(pairedRatios([2, 3, 8], [1, 3, 4]), [2, 1, 2]);
    assert.deepEqual(ratioSummary([2, 3, 8], [1, 3, 4]), { n: 3, median: 2, min: 1, max: 2 });
  });

  it('rejects unpaired runs and a zero baseline instead of printing Infinity', () => {
    assert.throws(() => pairedRatios([1, 2], [1]), /differ in length/);
    assert.throws(() => pairedRatios([1], [0]), /positive baseline/);
  });

  it('judges a target on the median, in the direction the target points', () => {
    const spread = { n: 5, median: 1.2, min: 0.9, max: 3 };
    assert.equal(meetsTarget(spread, { direction: 'at-most', value: 1.3 }), true);
    assert.equal(meetsTarget(spread, { direction: 'at-most', value: 1.1 }), false);
    assert.equal(meetsTarget(spread, { direction: 'at-least', value: 1.2 }), true);
    assert.equal(meetsTarget(spread, { direction: 'at-least', value: 1.25 }), false);
  });

  it('turns a byte count and durations into throughputs', () => {
    assert.deepEqual(throughputs(1000, [2, 0.5]), [500, 2000]);
    assert.throws(() => throughputs(1000, [0]), RangeError);
  });
});
