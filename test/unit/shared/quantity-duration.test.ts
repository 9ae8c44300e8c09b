import assert from 'node:assert/strict';
import { humanAge, parseDuration } from '../../../shared/duration.js';
import { formatBinary, parseSize } from '../../../shared/quantity.js';

describe('parseSize', () => {
  const table: [string, number][] = [
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['20G', 20e9],
    ['100k', 1e5],
    ['1Ti', 2 ** 40],
    ['4096', 4096],
    ['.5Gi', 2 ** 29],
  ];
  for (const [text, bytes] of table) it(`${text} = ${bytes} bytes`, () => assert.deepEqual(parseSize(text), { ok: true, bytes }));

  it('suggests the binary unit for sloppy input', () => {
    assert.deepEqual(parseSize('4gb'), { ok: false, problem: "'4gb' is not a Kubernetes quantity; did you mean 4Gi?" });
    assert.deepEqual(parseSize('512 MB'), { ok: false, problem: "'512 MB' is not a Kubernetes quantity; did you mean 512Mi?" });
  });

  it('formats bytes as the shortest exact binary quantity', () => {
    assert.equal(formatBinary(1536 * 2 ** 20), '1536Mi');
    assert.equal(formatBinary(2 ** 31), '2Gi');
    assert.equal(formatBinary(20e9), '19531250Ki');
    assert.equal(formatBinary(1000), '1000');
  });
});

describe('durations', () => {
  it('parses seconds, units and combinations', () => {
    assert.deepEqual(parseDuration('120'), { ok: true, ms: 120_000 });
    assert.deepEqual(parseDuration('90s'), { ok: true, ms: 90_000 });
    assert.deepEqual(parseDuration('1h30m'), { ok: true, ms: 5_400_000 });
    assert.deepEqual(parseDuration('500ms'), { ok: true, ms: 500 });
    assert.equal(parseDuration('5 minutes').ok, false);
    assert.equal(parseDuration('').ok, false);
  });

  it('prints AGE like kubectl', () => {
    const s = 1000;
    const table: [number, string][] = [
      [0, '0s'], [45 * s, '45s'], [119 * s, '119s'], [200 * s, '3m20s'], [300 * s, '5m'], [15 * 60 * s, '15m'],
      [179 * 60 * s, '179m'], [5.5 * 3600 * s, '5h30m'], [20 * 3600 * s, '20h'], [52 * 3600 * s, '2d4h'],
      [30 * 86400 * s, '30d'], [800 * 86400 * s, '2y70d'], [3000 * 86400 * s, '8y'],
    ];
    for (const [ms, text] of table) assert.equal(humanAge(ms), text, `${ms} ms`);
  });
});
