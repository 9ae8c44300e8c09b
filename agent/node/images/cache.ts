// The image cache on one node: keeps the directory equal to the catalog. Each wanted sha256 is
// either ready (verified file under its final name) or has a download running, queued, or waiting
// for its retry; at most maxConcurrent downloads run at once. Images dropped from the catalog are
// deleted, except those a VM pod on this node still uses.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { CatalogEntry, ImageCacheState, ImageCacheStatus } from '../../../shared/contract.js';
import type { CatalogProblem } from '../../../shared/catalog.js';
import { verifyFile } from '../../common/download.js';
import { downloadImage, DownloadError } from './download.js';
import { cachedImageFileName, classifyCacheFiles, filesToRemove, partialFileName } from './files.js';
import { backoffDelay, defaultBackoff, type BackoffPolicy } from './retry.js';

export interface ImageCacheOptions {
  cacheDir: string;
  maxConcurrent: number;
  stallMs: number;
  reserveBytes: number;
  backoff?: BackoffPolicy;
  /** sha256 of images VMs use (pods on this node, and every VM StatefulSet); throws when that cannot be known (then nothing is deleted). */
  listInUse: () => Promise<Set<string>>;
  /** Something in the statuses changed (throttling is the caller's business). */
  onChange: () => void;
  /** A download failed; called once per distinct error of an image. */
  onFailure: (name: string, entry: CatalogEntry, error: string) => void;
  log: (message: string) => void;
  now?: () => Date;
}

interface ShaState {
  entry: CatalogEntry;
  state: ImageCacheState;
  bytesDone: number;
  bytesTotal?: number;
  error?: string;
  updated: string;
  failures: number;
  abort?: AbortController;
  retryTimer?: NodeJS.Timeout;
  queued: boolean;
}

export interface CacheCounters {
  downloadsSucceeded: number;
  downloadsFailed: number;
  bytesDownloaded: number;
}

export class ImageCache {
  private bySha = new Map<string, ShaState>();
  /** Catalog name → sha256, and names whose entries are invalid. */
  private names = new Map<string, string>();
  private invalid = new Map<string, CatalogProblem>();
  private running = 0;
  private queue: string[] = [];
  private verified = new Set<string>();
  private stopped = false;
  private lastFailure = new Map<string, string>();
  readonly counters: CacheCounters = { downloadsSucceeded: 0, downloadsFailed: 0, bytesDownloaded: 0 };

  constructor(private readonly options: ImageCacheOptions) {}

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  /** Checks every finished file against its name; a corrupt one is deleted so it is fetched again. */
  async verifyExisting(): Promise<void> {
    await fs.mkdir(this.options.cacheDir, { recursive: true });
    const listing = classifyCacheFiles(await fs.readdir(this.options.cacheDir));
    for (const sha of listing.finals) {
      const path = join(this.options.cacheDir, cachedImageFileName(sha));
      let matches: boolean;
      try {
        matches = await verifyFile(path, sha);
      } catch (error) {
        // Not proof of corruption: the file got its name only after its checksum matched, and a
        // VM may use it. Keep it; only a file that reads back wrong is deleted.
        this.options.log(`image ${sha}: cannot verify it (${(error as Error).message}); keeping it`);
        continue;
      }
      if (matches) this.verified.add(sha);
      else {
        this.options.log(`image ${sha}: checksum does not match its name; deleting it`);
        await fs.rm(path, { force: true });
      }
    }
  }

  /** Per catalog name, what the node annotation shows. */
  statuses(): Map<string, ImageCacheStatus> {
    const out = new Map<string, ImageCacheStatus>();
    for (const [name, sha] of this.names) {
      const s = this.bySha.get(sha);
      if (!s) continue;
      const status: ImageCacheStatus = { state: s.state, sha256: sha, bytesDone: s.bytesDone, updated: s.updated };
      if (s.bytesTotal !== undefined) status.bytesTotal = s.bytesTotal;
      if (s.error) status.error = s.error;
      out.set(name, status);
    }
    for (const [name, problem] of this.invalid) out.set(name, { state: 'failed', sha256: '', bytesDone: 0, error: `invalid catalog entry: ${problem.error}`, updated: this.now() });
    return out;
  }

  /** Makes the cache follow a new catalog. */
  async setCatalog(entries: Map<string, CatalogEntry>, problems: CatalogProblem[]): Promise<void> {
    this.names = new Map([...entries].map(([name, e]) => [name, e.sha256.toLowerCase()]));
    this.invalid = new Map(problems.map((p) => [p.name, p]));
    const wanted = new Set(this.names.values());
    for (const [sha, s] of this.bySha) {
      if (wanted.has(sha)) continue;
      s.abort?.abort();
      clearTimeout(s.retryTimer);
      this.queue = this.queue.filter((q) => q !== sha);
      this.bySha.delete(sha);
    }
    for (const [, entry] of entries) {
      const sha = entry.sha256.toLowerCase();
      const existing = this.bySha.get(sha);
      if (existing) {
        if (existing.entry.url !== entry.url || existing.entry.size !== entry.size) {
          existing.entry = entry;
          if (existing.state === 'failed') this.retryNow(sha);
        }
        continue;
      }
      // Always look: a file verified earlier may have been deleted by hand since (the launcher's
      // hint for a corrupt base says to), while no catalog entry wanted it and resync did not look.
      const size = await fs.stat(join(this.options.cacheDir, cachedImageFileName(sha))).then((st) => (st.isFile() ? st.size : undefined), () => undefined);
      const ready = size !== undefined;
      if (!ready) this.verified.delete(sha);
      this.bySha.set(sha, { entry, state: ready ? 'ready' : 'pending', bytesDone: size ?? 0, bytesTotal: ready ? size : entry.size, updated: this.now(), failures: 0, queued: false });
      if (!ready) this.enqueue(sha);
    }
    this.options.onChange();
    this.pump();
    await this.collectGarbage();
  }

  /** Periodic check: a ready file that vanished is fetched again; garbage is collected. */
  async resync(): Promise<void> {
    for (const [sha, s] of this.bySha) {
      if (s.state === 'ready' && !(await this.finalExists(sha))) {
        this.verified.delete(sha);
        Object.assign(s, { state: 'pending', bytesDone: 0, updated: this.now() });
        this.enqueue(sha);
      }
    }
    this.options.onChange();
    this.pump();
    await this.collectGarbage();
  }

  private async finalExists(sha: string): Promise<boolean> {
    return fs.stat(join(this.options.cacheDir, cachedImageFileName(sha))).then((st) => st.isFile(), () => false);
  }

  async collectGarbage(): Promise<void> {
    let inUse: Set<string>;
    try {
      inUse = await this.options.listInUse();
    } catch (error) {
      this.options.log(`not removing any image: cannot tell which ones VMs use (${(error as Error).message})`);
      return;
    }
    const names = await fs.readdir(this.options.cacheDir).catch(() => [] as string[]);
    const wanted = new Set(this.names.values());
    for (const file of filesToRemove(classifyCacheFiles(names), wanted, inUse)) {
      // A download for it may have been started since the listing: it would be in bySha.
      const sha = /([0-9a-f]{64})/.exec(file)?.[1];
      if (sha && this.bySha.has(sha)) continue;
      this.options.log(`removing ${file}: no longer in the catalog and no VM uses it`);
      await fs.rm(join(this.options.cacheDir, file), { force: true });
      if (sha) this.verified.delete(sha);
    }
  }

  private enqueue(sha: string): void {
    const s = this.bySha.get(sha);
    if (!s || s.queued || s.abort) return;
    s.queued = true;
    this.queue.push(sha);
  }

  private retryNow(sha: string): void {
    const s = this.bySha.get(sha);
    if (!s) return;
    clearTimeout(s.retryTimer);
    s.retryTimer = undefined;
    this.enqueue(sha);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.options.maxConcurrent && this.queue.length > 0) {
      const sha = this.queue.shift()!;
      const s = this.bySha.get(sha);
      if (!s) continue;
      s.queued = false;
      this.running++;
      void this.download(sha, s).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private nameOf(sha: string): string {
    for (const [name, s] of this.names) if (s === sha) return name;
    return sha;
  }

  private async download(sha: string, s: ShaState): Promise<void> {
    const abort = new AbortController();
    s.abort = abort;
    // A retry keeps the previous error visible until it succeeds.
    Object.assign(s, { state: 'downloading', updated: this.now() });
    this.options.onChange();
    let lastReport = 0;
    try {
      const result = await downloadImage(s.entry, {
        cacheDir: this.options.cacheDir,
        stallMs: this.options.stallMs,
        reserveBytes: this.options.reserveBytes,
        signal: abort.signal,
        onProgress: (done, total) => {
          s.bytesDone = done;
          s.bytesTotal = total;
          const now = Date.now();
          if (now - lastReport > 500) {
            lastReport = now;
            s.updated = this.now();
            this.options.onChange();
          }
        },
      });
      this.counters.downloadsSucceeded++;
      this.counters.bytesDownloaded += result.bytes - result.resumedFrom;
      this.verified.add(sha);
      Object.assign(s, { state: 'ready', bytesDone: result.bytes, bytesTotal: result.bytes, error: undefined, failures: 0, updated: this.now() });
      this.lastFailure.delete(sha);
      this.options.log(`image ${this.nameOf(sha)} (${sha.slice(0, 12)}): ready, ${result.bytes} bytes${result.resumedFrom > 0 ? `, resumed at ${result.resumedFrom}` : ''}`);
    } catch (error) {
      if (abort.signal.aborted || this.stopped || !this.bySha.has(sha)) {
        if (!this.bySha.has(sha)) await fs.rm(join(this.options.cacheDir, partialFileName(sha)), { force: true });
        return;
      }
      const message = error instanceof DownloadError ? error.message : `unexpected error: ${(error as Error).message}`;
      this.counters.downloadsFailed++;
      s.failures++;
      const delay = backoffDelay(s.failures, this.options.backoff ?? defaultBackoff);
      Object.assign(s, { state: 'failed', error: message, updated: this.now() });
      this.options.log(`image ${this.nameOf(sha)}: download failed (${message}); retry in ${Math.round(delay / 1000)} s`);
      if (this.lastFailure.get(sha) !== message) {
        this.lastFailure.set(sha, message);
        for (const [name, n] of this.names) if (n === sha) this.options.onFailure(name, s.entry, message);
      }
      s.retryTimer = setTimeout(() => this.retryNow(sha), delay);
    } finally {
      s.abort = undefined;
      this.options.onChange();
    }
  }

  /** Stops downloads (partials stay for the next start) and retry timers. */
  stop(): void {
    this.stopped = true;
    for (const s of this.bySha.values()) {
      s.abort?.abort();
      clearTimeout(s.retryTimer);
    }
  }
}
