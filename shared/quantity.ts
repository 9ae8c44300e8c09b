// Kubernetes quantities for sizes (--memory 2Gi, --disk-size 20G), parsed to bytes the way the
// API server reads them, so that what we validate is what the cluster will see.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

export type QuantityResult = { ok: true; bytes: number } | { ok: false; problem: string };

/** Parses a size quantity to bytes (rounded up). Pure; the problem text names what was wrong. */
export function parseSize(value: string): QuantityResult {
  const text = value.trim();
  const m = QUANTITY.exec(text);
  if (!m) {
    const sloppy = /^(\d+(?:\.\d+)?)\s*([kKmMgGtTpP])i?[bB]?$/.exec(text);
    if (sloppy) {
      const unit = sloppy[2].toUpperCase();
      return { ok: false, problem: `'${value}' is not a Kubernetes quantity; did you mean ${sloppy[1]}${unit === 'K' ? 'Ki' : `${unit}i`}?` };
    }
    if (text.startsWith('-')) return { ok: false, problem: `'${value}' is negative` };
    return { ok: false, problem: `'${value}' is not a size; use a Kubernetes quantity such as 512Mi, 2Gi or 20G` };
  }
  const unit = m[2] ?? '';
  const factor = BINARY[unit] ?? DECIMAL[unit];
  return { ok: true, bytes: Math.ceil(Number(m[1]) * factor) };
}

/** A CPU quantity ('2', '1.5', '1500m') in millicores; undefined when it is not one. Pure. */
export function parseCpuMillis(value: unknown): number | undefined {
  const text = String(value ?? '');
  if (/^\d+m$/.test(text)) return Number(text.slice(0, -1));
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  return undefined;
}

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

/** Bytes as the shortest exact binary quantity (1536Mi, 2Gi), for resources and annotations. */
export function formatBinary(bytes: number): string {
  for (const [unit, factor] of Object.entries(BINARY).reverse()) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

/** 1536 → '1.5KiB', for columns and messages people read. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n}B` : `${v.toFixed(v >= 10 ? 0 : 1)}${units[i]}`;
}
