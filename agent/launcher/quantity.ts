// Disk sizes as Kubernetes quantities ("20Gi", "10G", "1073741824"), in bytes.
const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
};

/** Bytes, rounded up to whole 512-byte sectors (qcow2's unit); undefined when not a quantity. */
export function parseQuantityBytes(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([kKMGT]i?|)$/.exec(text.trim());
  if (!match || UNITS[match[2]] === undefined) return undefined;
  const bytes = Number(match[1]) * UNITS[match[2]];
  if (!Number.isFinite(bytes) || bytes > Number.MAX_SAFE_INTEGER) return undefined;
  return Math.ceil(bytes / 512) * 512;
}
