// Durations in and out: --timeout 5m / --shutdown-timeout 120 in, and kubectl's AGE column out.

export type DurationResult = { ok: true; ms: number } | { ok: false; problem: string };

/** Parses '90' (seconds), '90s', '5m', '1h30m' or '500ms'. Pure. */
export function parseDuration(value: string): DurationResult {
  const text = value.trim();
  if (/^\d+$/.test(text)) return { ok: true, ms: Number(text) * 1000 };
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
    consumed = re.lastIndex;
  }
  if (text === '' || consumed !== text.length) {
    return { ok: false, problem: `'${value}' is not a duration; use seconds (120) or a duration such as 90s, 5m or 1h` };
  }
  return { ok: true, ms: Math.round(total) };
}

/** kubectl's HumanDuration: 45s, 3m20s, 15m, 5h30m, 2d4h, 30d, 1y20d. Pure. */
export function humanAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(seconds / 3600);
  const days = Math.floor(hours / 24);
  const years = Math.floor(days / 365);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  if (years < 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** A delay in a log line: milliseconds below ten seconds (a test's backoff is that short), else humanAge. */
export function humanDelay(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)}ms` : humanAge(ms);
}
