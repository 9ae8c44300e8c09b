// What a benchmark hands back to the orchestrator: measured figures, or the loud reason it could
// not measure. Nothing in between: a benchmark whose prerequisite is missing never invents a number.
import type { Summary, Target } from './stats.js';

export type Unit = 's' | 'x' | 'MB' | 'MB/s';

export interface Side {
  /** What ran, e.g. "kubectl berth --help". */
  what: string;
  summary: Summary;
  unit: Unit;
}

/** One row of the table: the figure judged against a target, and the two sides it came from. */
export interface Figure {
  label: string;
  ours?: Side;
  baseline?: Side;
  value: Summary;
  unit: Unit;
  target: Target;
  met: boolean;
  /** Shown when the target is missed: why, and what would close the gap. */
  ifMissed?: string;
}

export interface Measured {
  id: string;
  title: string;
  status: 'measured';
  /** ISO time the benchmark finished. */
  at: string;
  runs: number;
  figures: Figure[];
  /** Diagnostics worth keeping next to the figures (breakdowns, conditions of the run). */
  notes: string[];
}

export interface NotMeasured {
  id: string;
  title: string;
  status: 'not-measured';
  at: string;
  reason: string;
}

export type BenchResult = Measured | NotMeasured;

/** Thrown by a benchmark whose prerequisite is missing; the orchestrator turns it into NotMeasured. */
export class NotMeasuredError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotMeasuredError';
  }
}

export interface BenchContext {
  /** Paired runs per side (at least 5 unless asked otherwise). */
  runs: number;
  /** The repository root. */
  root: string;
  /** A scratch directory this benchmark owns and may fill; removed after the run. */
  scratch: string;
  /** Progress to stderr. */
  log(message: string): void;
}

export interface Benchmark {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<Omit<Measured, 'id' | 'title' | 'status' | 'at' | 'runs'>>;
}
