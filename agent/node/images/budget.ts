// Whether one more image fits the node's image cache budget, and which cached images to evict
// (least recently used first) to make it fit. The budget is the free space to keep on the cache's
// file system (the reserve) and, optionally, a cap on what the cache holds. Pure: the cache
// (cache.ts) measures the disk and decides which images may go at all.
import { describeReserve, reserveBytes, type DiskReserve } from '../../../shared/cache-budget.js';
import { formatBytes } from '../../../shared/quantity.js';

export interface CachedImage {
  sha256: string;
  bytes: number;
  /** When a VM last used it, or when it was cached if none ever did (the file's mtime). */
  lastUsedMs: number;
}

export interface RoomInput {
  /** Bytes the download still has to write. */
  needed: number;
  /** The cache's file system now, less what downloads already running will still write. */
  freeBytes: number;
  totalBytes: number;
  reserve: DiskReserve;
  /** Cap on the cache's own size; undefined for none. */
  cacheMax?: number;
  /** What the cache directory holds now, plus what running downloads will still write. */
  cacheBytes: number;
  /** Images that may go to make room (no VM uses them, nothing downloads them), in any order. */
  evictable: CachedImage[];
}

export type RoomPlan = { fits: true; evict: string[] } | { fits: false; problem: string };

export function planRoom(input: RoomInput): RoomPlan {
  const reserve = reserveBytes(input.reserve, input.totalBytes);
  const short = (freed: number) =>
    Math.max(
      0,
      input.needed - (input.freeBytes + freed - reserve),
      input.cacheMax === undefined ? 0 : input.cacheBytes - freed + input.needed - input.cacheMax,
    );
  if (short(0) === 0) return { fits: true, evict: [] };
  const lru = [...input.evictable].sort((a, b) => a.lastUsedMs - b.lastUsedMs || a.sha256.localeCompare(b.sha256));
  const evict: string[] = [];
  let freed = 0;
  for (const image of lru) {
    evict.push(image.sha256);
    freed += image.bytes;
    if (short(freed) === 0) return { fits: true, evict };
  }
  const room = input.needed - short(freed);
  const cap = input.cacheMax === undefined ? '' : ` and holding at most ${formatBytes(input.cacheMax)} in all`;
  return {
    fits: false,
    problem: `it needs ${formatBytes(input.needed)} and the budget leaves ${formatBytes(Math.max(0, room))} (keeping ${describeReserve(input.reserve, input.totalBytes)} free${cap})`,
  };
}
