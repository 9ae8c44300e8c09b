import assert from 'node:assert/strict';
import { formatSummary, formatTarget, mergeResults, parsePreviousResults, renderMarkdown, renderTerminalTable } from '../../bench/report.js';
import type { BenchResult } from '../../bench/result.js';

const machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 4, kernel: '6.1', os: 'Debian', node: 'v22', kubectl: 'kubectl v1', qemu: 'QEMU 7' };

const measured: BenchResult = {
  id: 'cli-start',
  title: 'CLI start',
  status: 'measured',
  at: '2026-11-21T13:00:00.000Z',
  runs: 5,
  figures: [{
    label: 'help vs version',
    ours: { what: 'kubectl berth --help', summary: { n: 5, median: 0.2, min: 0.18, max: 0.25 }, unit: 's' },
    baseline: { what: 'kubectl version --client', summary: { n: 5, median: 0.05, min: 0.04, max: 0.06 }, unit: 's' },
    value: { n: 5, median: 4, min: 3.5, max: 4.5 },
    unit: 'x',
    target: { direction: 'at-most', value: 2 },
    met: false,
    ifMissed: 'Node starts slowly -- see the breakdown.',
  }],
  notes: ['a note'],
};

const notMeasured: BenchResult = { id: 'ls-scale', title: 'ls at scale', status: 'not-measured', at: '2026-11-21T13:01:00.000Z', reason: 'the local cluster does not answer' };

describe('bench report', () => {
  it('formats a summary as median then range, in the unit of the figure', () => {
    assert.equal(formatSummary({ n: 5, median: 1.234, min: 1.1, max: 1.5 }, 'x'), '1.23× (1.10×–1.50×)');
    assert.equal(formatSummary({ n: 5, median: 0.2, min: 0.0042, max: 1.5 }, 's'), '200 ms (4.2 ms–1.50 s)');
    assert.equal(formatSummary({ n: 1, median: 42, min: 42, max: 42 }, 'MB'), '42.0 MB');
    assert.equal(formatTarget({ direction: 'at-least', value: 0.9 }, 'x'), '≥ 0.90×');
  });

  it('marks a benchmark that could not run as NOT MEASURED, with no figure', () => {
    const table = renderTerminalTable([measured, notMeasured]);
    assert.match(table, /CLI start: help vs version\s+200 ms.*4\.00×.*MISSED/);
    assert.match(table, /ls at scale\s+NOT MEASURED\s+—\s+—\s+—\s+—\s+the local cluster does not answer/);
  });

  it('explains a missed target in BENCHMARKS.md and keeps the raw results readable', () => {
    const md = renderMarkdown({ machine, date: '2026-11-21T13:02:00.000Z', results: [measured, notMeasured] });
    assert.match(md, /Why it misses, and what would close it: Node starts slowly/);
    assert.match(md, /Not measured \(2026-11-21 13:01 UTC\): the local cluster does not answer/);
    assert.doesNotMatch(md.slice(md.indexOf('<!-- bench-results') + 4, md.lastIndexOf('-->')), /--/);
    assert.deepEqual(parsePreviousResults(md), [measured, notMeasured]);
  });

  it('lets a partial run replace only the benchmarks it measured, in the canonical order', () => {
    const newer: BenchResult = { ...notMeasured, status: 'not-measured', reason: 'still down', at: '2026-11-21T14:00:00.000Z' };
    const merged = mergeResults([measured, notMeasured], [newer], ['cli-start', 'pet-disk', 'ls-scale']);
    assert.deepEqual(merged.map((r) => r.id), ['cli-start', 'ls-scale']);
    assert.equal((merged[1] as { reason: string }).reason, 'still down');
    assert.deepEqual(parsePreviousResults('# no results here'), []);
  });
});
