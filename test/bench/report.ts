// Turns results into the terminal table and BENCHMARKS.md. Pure: strings in, strings out. The raw
// results ride along in BENCHMARKS.md as a JSON comment, so `--only x` can re-measure one benchmark
// and keep the others' last figures (each row says when it was measured).
import type { BenchResult, Figure, Side, Unit } from './result.js';
import type { Summary, Target } from './stats.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  os: string;
  node: string;
  kubectl: string;
  qemu: string;
}

export interface Report {
  machine: Machine;
  date: string;
  results: BenchResult[];
}

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 's':
      if (value < 0.01) return `${(value * 1000).toFixed(1)} ms`;
      if (value < 1) return `${(value * 1000).toFixed(0)} ms`;
      return `${value.toFixed(2)} s`;
    case 'x':
      return `${value.toFixed(2)}×`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'MB/s':
      return `${value.toFixed(0)} MB/s`;
  }
}

/** "1.21× (1.10–1.40)": the median, then the range of the runs. */
export function formatSummary(summary: Summary, unit: Unit): string {
  const range = summary.n > 1 ? ` (${formatValue(summary.min, unit)}–${formatValue(summary.max, unit)})` : '';
  return `${formatValue(summary.median, unit)}${range}`;
}

export function formatTarget(target: Target, unit: Unit): string {
  return `${target.direction === 'at-most' ? '≤' : '≥'} ${formatValue(target.value, unit)}`;
}

function sideCell(side: Side | undefined): string {
  return side ? formatSummary(side.summary, side.unit) : '—';
}

interface Row {
  cells: string[];
}

function rowsOf(results: readonly BenchResult[]): Row[] {
  const rows: Row[] = [];
  for (const result of results) {
    if (result.status === 'not-measured') {
      rows.push({ cells: [result.title, 'NOT MEASURED', '—', '—', '—', '—', firstLine(result.reason)] });
      continue;
    }
    for (const figure of result.figures) {
      rows.push({
        cells: [
          `${result.title}: ${figure.label}`,
          sideCell(figure.ours),
          sideCell(figure.baseline),
          formatSummary(figure.value, figure.unit),
          formatTarget(figure.target, figure.unit),
          figure.met ? 'met' : 'MISSED',
          `${result.runs} runs, ${result.at.slice(0, 16).replace('T', ' ')} UTC`,
        ],
      });
    }
  }
  return rows;
}

const HEADERS = ['Benchmark', 'Ours', 'Baseline', 'Figure', 'Target', 'Result', 'Measured'];

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}

/** A plain aligned table for the terminal. */
export function renderTerminalTable(results: readonly BenchResult[]): string {
  const rows = [HEADERS, ...rowsOf(results).map((r) => r.cells)];
  const widths = HEADERS.map((_, col) => Math.max(...rows.map((r) => [...r[col]!].length)));
  return rows
    .map((r) => r.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd())
    .join('\n') + '\n';
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function sideLine(name: string, side: Side | undefined): string | undefined {
  return side ? `- ${name}: ${side.what} — ${formatSummary(side.summary, side.unit)}` : undefined;
}

function figureSection(figure: Figure): string[] {
  const lines = [`**${figure.label}** — ${formatSummary(figure.value, figure.unit)}, target ${formatTarget(figure.target, figure.unit)}: ${figure.met ? 'met' : '**missed**'}.`, ''];
  for (const line of [sideLine('ours', figure.ours), sideLine('baseline', figure.baseline)]) if (line) lines.push(line);
  if (!figure.met && figure.ifMissed) lines.push('', `Why it misses, and what would close it: ${figure.ifMissed}`);
  lines.push('');
  return lines;
}

export function renderMarkdown(report: Report): string {
  const m = report.machine;
  const out = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (test/bench/run.ts); re-run it rather than editing this file.',
    'Every ratio is ours ÷ baseline, measured in the same run with the two sides interleaved',
    '(A B, B A, …), so the noise of a shared machine hits both. Each cell is the median of the runs,',
    'then their min–max; a ratio\'s range is the range of the per-pair ratios. Targets are judged on the median.',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}, kernel ${m.kernel}; Node ${m.node}; ${m.kubectl}; ${m.qemu}.`,
    `Written: ${report.date.slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map(() => '---').join('|')}|`,
    ...rowsOf(report.results).map((r) => `| ${r.cells.map(escapeCell).join(' | ')} |`),
    '',
  ];
  for (const result of report.results) {
    out.push(`## ${result.title}`, '');
    if (result.status === 'not-measured') {
      out.push(`Not measured (${result.at.slice(0, 16).replace('T', ' ')} UTC): ${result.reason}`, '');
      continue;
    }
    for (const figure of result.figures) out.push(...figureSection(figure));
    if (result.notes.length > 0) out.push(...result.notes.map((n) => `- ${n}`), '');
  }
  // '--' would end the HTML comment early; inside JSON strings \u002d reads back as '-'.
  out.push('<!-- bench-results', JSON.stringify(report.results).replace(/--/g, '-\\u002d'), '-->', '');
  return out.join('\n');
}

/** The results a previous BENCHMARKS.md carried, or none. */
export function parsePreviousResults(markdown: string): BenchResult[] {
  const match = /<!-- bench-results\n(.*)\n-->/s.exec(markdown);
  if (!match) return [];
  try {
    const parsed = JSON.parse(match[1]!) as unknown;
    return Array.isArray(parsed) ? (parsed as BenchResult[]) : [];
  } catch {
    return [];
  }
}

/** This run's results replace earlier ones of the same id; the order follows `order`. */
export function mergeResults(previous: readonly BenchResult[], current: readonly BenchResult[], order: readonly string[]): BenchResult[] {
  const byId = new Map<string, BenchResult>();
  for (const r of previous) byId.set(r.id, r);
  for (const r of current) byId.set(r.id, r);
  return order.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}
