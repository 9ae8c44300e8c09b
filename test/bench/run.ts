// `npm run bench [-- --only a,b] [--runs N] [--no-write]`: runs the benchmarks, prints the table
// and writes BENCHMARKS.md at the repository root. A benchmark whose prerequisite is missing says so
// loudly and is marked "not measured"; it never produces a number.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFill } from './cache-fill.js';
import { cliStart } from './cli-start.js';
import { createSsh, createSshDebian } from './create-ssh.js';
import { failover } from './failover.js';
import { lsScale } from './ls-scale.js';
import { netPaths } from './net-paths.js';
import { describeMachine } from './machine.js';
import { petDisk } from './pet-disk.js';
import { qemuMemory } from './qemu-memory.js';
import { mergeResults, parsePreviousResults, renderMarkdown, renderTerminalTable } from './report.js';
import { NotMeasuredError, type Benchmark, type BenchResult } from './result.js';

/** In the order they run: cheap first, the whole chain (create → SSH) last. */
const BENCHMARKS: readonly Benchmark[] = [cliStart, petDisk, lsScale, cacheFill, netPaths, createSsh, createSshDebian, qemuMemory, failover];

const MIN_RUNS = 5;

interface Options {
  only: string[];
  runs: number;
  write: boolean;
}

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nusage: npm run bench -- [--only ${BENCHMARKS.map((b) => b.id).join(',')}] [--runs N] [--no-write]\n`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { only: BENCHMARKS.map((b) => b.id), runs: MIN_RUNS, write: true };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--only') {
      options.only = value().split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = options.only.filter((id) => !BENCHMARKS.some((b) => b.id === id));
      if (unknown.length > 0) usage(`unknown benchmark ${unknown.join(', ')}`);
    } else if (flag === '--runs') {
      options.runs = Number(value());
      if (!Number.isInteger(options.runs) || options.runs < 1) usage('--runs takes a whole number ≥ 1');
    } else if (flag === '--no-write') {
      options.write = false;
    } else {
      usage(`unknown option ${flag}`);
    }
  }
  return options;
}

async function runOne(bench: Benchmark, runs: number, root: string): Promise<BenchResult> {
  const scratch = mkdtempSync(join(tmpdir(), `berth-bench-${bench.id}-`));
  const log = (message: string) => process.stderr.write(`[${bench.id}] ${message}\n`);
  log(`starting (${runs} paired runs)`);
  const loadBefore = loadavg()[0]!;
  try {
    const measured = await bench.run({ runs, root, scratch, log });
    // The load says how noisy the machine was; the interleaved ratios are what stays comparable.
    const load = `Load average (1 min) on this ${cpus().length}-core machine: ${loadBefore.toFixed(1)} when the benchmark started, ${loadavg()[0]!.toFixed(1)} when it ended.`;
    return { id: bench.id, title: bench.title, status: 'measured', at: new Date().toISOString(), runs, ...measured, notes: [...measured.notes, load] };
  } catch (error) {
    const expected = error instanceof NotMeasuredError;
    const reason = expected ? (error as Error).message : `failed: ${(error as Error).message}`;
    process.stderr.write(`\n!!! ${bench.id} NOT MEASURED: ${reason}\n\n`);
    return { id: bench.id, title: bench.title, status: 'not-measured', at: new Date().toISOString(), reason };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const options = parseOptions(process.argv.slice(2));
  if (options.runs < MIN_RUNS) process.stderr.write(`bench: ${options.runs} runs is a trial; the figures of record use ${MIN_RUNS} or more\n`);
  const results: BenchResult[] = [];
  for (const bench of BENCHMARKS) {
    if (options.only.includes(bench.id)) results.push(await runOne(bench, options.runs, root));
  }
  process.stdout.write(`\n${renderTerminalTable(results)}`);
  for (const result of results) {
    if (result.status !== 'measured') continue;
    for (const note of result.notes) process.stdout.write(`  ${result.id}: ${note}\n`);
    for (const figure of result.figures) if (!figure.met && figure.ifMissed) process.stdout.write(`  ${result.id} MISSED ${figure.label}: ${figure.ifMissed}\n`);
  }
  if (!options.write) return;
  const file = join(root, 'BENCHMARKS.md');
  const previous = existsSync(file) ? parsePreviousResults(readFileSync(file, 'utf8')) : [];
  const merged = BENCHMARKS.map((bench): BenchResult =>
    mergeResults(previous, results, [bench.id])[0] ??
      { id: bench.id, title: bench.title, status: 'not-measured', at: new Date().toISOString(), reason: `not run yet: npm run bench -- --only ${bench.id}` });
  writeFileSync(file, renderMarkdown({ machine: describeMachine(), date: new Date().toISOString(), results: merged }));
  process.stderr.write(`bench: wrote ${file}\n`);
}

await main();
