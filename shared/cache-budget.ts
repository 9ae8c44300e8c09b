// The node agent's image cache budget as a user writes it (`kubectl berth install --disk-reserve
// 20% --cache-max 50Gi`, the agent's options of the same names): parsed here, once, for the plugin
// (which refuses a bad value before it installs anything) and for the agent. Pure.
import { formatBytes, parseSize } from './quantity.js';

/** Free space to keep on the cache's file system: a share of the file system, or bytes. */
export type DiskReserve = { percent: number } | { bytes: number };

export type BudgetResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** '20%', '12.5%', '10Gi', '0'. */
export function parseDiskReserve(value: string): BudgetResult<DiskReserve> {
  const text = value.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (pct) {
    const percent = Number(pct[1]);
    if (percent >= 100) return { ok: false, problem: `'${value}' leaves the cache no room: use a share below 100%` };
    return { ok: true, value: { percent } };
  }
  const size = parseSize(text);
  if (!size.ok) return { ok: false, problem: `${size.problem} (a share of the file system, such as 20%, also works)` };
  return { ok: true, value: { bytes: size.bytes } };
}

/** 'none' (no cap but the reserve) or a quantity; undefined means no cap. */
export function parseCacheMax(value: string): BudgetResult<number | undefined> {
  if (value.trim() === 'none') return { ok: true, value: undefined };
  const size = parseSize(value);
  if (!size.ok) return { ok: false, problem: `${size.problem} (or none, for no cap)` };
  return { ok: true, value: size.bytes };
}

/** The reserve in bytes on a file system of `totalBytes`. */
export function reserveBytes(reserve: DiskReserve, totalBytes: number): number {
  return 'bytes' in reserve ? reserve.bytes : Math.ceil((totalBytes * reserve.percent) / 100);
}

/** How a reserve reads in messages: '20% of the file system (2.0 GiB)' or '256 MiB'. */
export function describeReserve(reserve: DiskReserve, totalBytes: number): string {
  const bytes = reserveBytes(reserve, totalBytes);
  return 'bytes' in reserve ? formatBytes(bytes) : `${reserve.percent}% of the file system (${formatBytes(bytes)})`;
}
