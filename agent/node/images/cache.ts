// The image cache on one node: keeps the directory equal to the catalog, within the node's budget.
// Each wanted sha256 is either ready (verified file under its final name), has a download running,
// queued, or waiting for its retry, or does not fit the budget (no-room); at most maxConcurrent
// downloads run at once. Images dropped from the catalog are deleted, except those a VM still
// uses. Only an image a VM uses may evict others (least recently used first, never one a VM
// uses): if any catalog image could evict any other, two that do not fit together would evict
// each other forever.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { CatalogEntry, ImageCacheState, ImageCacheStatus } from '../../../shared/contract.js';
import type { CatalogProblem } from '../../../shared/catalog.js';
import { reserveBytes, type DiskReserve } from '../../../shared/cache-budget.js';
import { diskSpace } from '../../common/disk.js';
import { verifyFile } from '../../common/download.js';
import type { Validator } from '../../common/range.js';
import { humanDelay } from '../../../shared/duration.js';
import { planRoom, type CachedImage } from './budget.js';
import { downloadImage, DownloadError } from './download.js';
import { cachedImageFileName, classifyCacheFiles, filesToRemove, partialFileName, validatorFileName } from './files.js';
import { backoffDelay, defaultBackoff, type BackoffPolicy } from './retry.js';

export interface ImageCacheOptions {
  cacheDir: string;
  maxConcurrent: number;
  stallMs: number;
  /** Free space the cache never eats into on its file system. */
  reserve: DiskReserve;
  /** Cap on what the cache holds (images and partial files); undefined for none. */
  cacheMax?: number;
  backoff?: BackoffPolicy;
  /** sha256 of images VMs use (pods on this node, and every VM StatefulSet); throws when that cannot be known (then nothing is deleted). */
  listInUse: () => Promise<Set<string>>;
  /** Something in the statuses changed (throttling is the caller's business). */
  onChange: () => void;
  /**
   * Something the node's Events should say: a download failed (ImageDownloadFailed), an image does
   * not fit (ImageDoesNotFit), once per distinct error of an image; an image was evicted (ImageEvicted);
   * a cached file read back wrong (ImageVerifyFailed).
   */
  onEvent: (reason: ImageEventReason, message: string) => void;
  log: (message: string) => void;
  now?: () => Date;
}

export type ImageEventReason = 'ImageDownloadFailed' | 'ImageDoesNotFit' | 'ImageEvicted' | 'ImageVerifyFailed';

interface ShaState {
  entry: CatalogEntry;
  state: ImageCacheState;
  bytesDone: number;
  bytesTotal?: number;
  error?: string;
  updated: string;
  failures: number;
  /** The version of the file at the URL that failed the checksum: asked for again only if it changed. */
  knownBad?: Validator;
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

  /**
   * Hashes every finished file again, one at a time, while the cache already serves them (the
   * agent runs it in the background after the first setCatalog: each file got its name only once
   * its checksum matched). A file that reads back wrong goes out of service: deleted, its status
   * failed with the reason (so its node label goes), an Event, and a new download.
   */
  async verifyExisting(): Promise<void> {
    await fs.mkdir(this.options.cacheDir, { recursive: true });
    const finals = [...classifyCacheFiles(await fs.readdir(this.options.cacheDir)).finals].sort();
    if (finals.length === 0) return;
    this.options.log(`verifying ${finals.length} cached image(s) in the background`);
    let bad = 0;
    for (const sha of finals) {
      if (this.stopped) return;
      const path = join(this.options.cacheDir, cachedImageFileName(sha));
      let matches: boolean;
      try {
        matches = await verifyFile(path, sha);
      } catch (error) {
        // Not proof of corruption: the file got its name only after its checksum matched, and a
        // VM may use it. Keep it; only a file that reads back wrong is deleted. (A file removed
        // meanwhile by garbage collection ends up here too.)
        this.options.log(`image ${sha}: cannot verify it (${(error as Error).message}); keeping it`);
        continue;
      }
      if (matches) {
        this.verified.add(sha);
        continue;
      }
      bad++;
      await this.outOfService(sha, path);
    }
    this.options.log(`verified ${finals.length} cached image(s): ${bad === 0 ? 'all match their sha256' : `${bad} did not and went out of service`}`);
  }

  private async outOfService(sha: string, path: string): Promise<void> {
    this.verified.delete(sha);
    const s = this.bySha.get(sha);
    // A download that began meanwhile (the file vanished) owns the name now.
    if (s?.abort) return;
    await fs.rm(path, { force: true });
    const why = 'the cached file did not match its sha256 when the agent checked it after starting; it was deleted and is downloaded again';
    this.options.log(`image ${this.nameOf(sha)} (${sha.slice(0, 12)}): ${why}`);
    if (!s) return;
    Object.assign(s, { state: 'failed', error: why, bytesDone: 0, updated: this.now() });
    this.lastFailure.set(sha, why);
    for (const [name, n] of this.names) if (n === sha) this.options.onEvent('ImageVerifyFailed', `image ${name}: ${why}`);
    this.options.onChange();
    this.enqueue(sha);
    this.pump();
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
    // The first call comes before verifyExisting (which runs in the background) on a fresh node.
    await fs.mkdir(this.options.cacheDir, { recursive: true });
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
          existing.knownBad = undefined;
          if (existing.state === 'failed') this.retryNow(sha);
        }
        if (existing.state === 'no-room') this.enqueue(sha);
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

  /**
   * Periodic check: a ready file that vanished is fetched again; an image that did not fit is
   * measured again (room may have come); garbage is collected.
   */
  async resync(): Promise<void> {
    for (const [sha, s] of this.bySha) {
      if (s.state === 'ready' && !(await this.finalExists(sha))) {
        this.verified.delete(sha);
        Object.assign(s, { state: 'pending', bytesDone: 0, updated: this.now() });
        this.enqueue(sha);
      }
      if (s.state === 'no-room') this.enqueue(sha);
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
    const listing = classifyCacheFiles(names);
    // A file's mtime is when a VM last used it (or when it was cached): eviction goes by it.
    const now = new Date();
    for (const sha of listing.finals) {
      if (inUse.has(sha)) await fs.utimes(join(this.options.cacheDir, cachedImageFileName(sha)), now, now).catch(() => undefined);
    }
    const wanted = new Set(this.names.values());
    for (const file of filesToRemove(listing, wanted, inUse)) {
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

  /** What the cache directory holds: finished images (with size and mtime) and partial files. */
  private async cacheFiles(): Promise<{ finals: CachedImage[]; partials: Map<string, number>; bytes: number }> {
    const listing = classifyCacheFiles(await fs.readdir(this.options.cacheDir));
    const stat = (name: string) => fs.stat(join(this.options.cacheDir, name)).catch(() => undefined);
    const finals: CachedImage[] = [];
    const partials = new Map<string, number>();
    let bytes = 0;
    for (const sha of listing.finals) {
      const st = await stat(cachedImageFileName(sha));
      if (!st?.isFile()) continue;
      finals.push({ sha256: sha, bytes: st.size, lastUsedMs: st.mtimeMs });
      bytes += st.size;
    }
    for (const sha of listing.partials) {
      const st = await stat(partialFileName(sha));
      if (!st) continue;
      partials.set(sha, st.size);
      bytes += st.size;
    }
    return { finals, partials, bytes };
  }

  /**
   * Makes room for the download of `sha` within the budget, evicting what it may; returns the
   * reserve in bytes for the downloader, or undefined when the image does not fit (its state is
   * then no-room). An image of unknown size is let through: the downloader keeps the reserve free
   * as the bytes arrive.
   */
  private async makeRoom(sha: string, s: ShaState): Promise<number | undefined> {
    const dir = this.options.cacheDir;
    const [disk, files] = await Promise.all([diskSpace(dir), this.cacheFiles()]);
    const reserve = reserveBytes(this.options.reserve, disk.total);
    if (s.entry.size === undefined) return reserve;
    // Downloads already running will still write this much: it is not free for this one.
    let committed = 0;
    for (const [other, o] of this.bySha) {
      if (other !== sha && o.abort && o.entry.size !== undefined) committed += Math.max(0, o.entry.size - (files.partials.get(other) ?? 0));
    }
    let inUse: Set<string> | undefined;
    try {
      inUse = await this.options.listInUse();
    } catch {
      inUse = undefined; // unknown: nothing may be evicted
    }
    const demanded = inUse?.has(sha) ?? false;
    const evictable = demanded ? files.finals.filter((f) => f.sha256 !== sha && !inUse!.has(f.sha256) && !this.bySha.get(f.sha256)?.abort) : [];
    const plan = planRoom({
      needed: Math.max(0, s.entry.size - (files.partials.get(sha) ?? 0)),
      freeBytes: disk.free - committed,
      totalBytes: disk.total,
      reserve: this.options.reserve,
      cacheMax: this.options.cacheMax,
      cacheBytes: files.bytes + committed,
      evictable,
    });
    if (!plan.fits) {
      const why = demanded ? 'even with every image no VM uses evicted' : 'no VM uses it, so no other image is evicted for it';
      this.noRoom(sha, s, `does not fit the node's image cache budget: ${plan.problem}; ${why}`);
      return undefined;
    }
    for (const victim of plan.evict) await this.evict(victim, sha);
    return reserve;
  }

  private noRoom(sha: string, s: ShaState, error: string): void {
    if (s.state !== 'no-room' || s.error !== error) Object.assign(s, { state: 'no-room', error, bytesDone: 0, updated: this.now() });
    if (this.lastFailure.get(sha) === error) return;
    this.lastFailure.set(sha, error);
    this.options.log(`image ${this.nameOf(sha)}: ${error}`);
    for (const [name, n] of this.names) if (n === sha) this.options.onEvent('ImageDoesNotFit', `image ${name}: ${error}`);
    this.options.onChange();
  }

  private async evict(victim: string, forSha: string): Promise<void> {
    await fs.rm(join(this.options.cacheDir, cachedImageFileName(victim)), { force: true });
    this.verified.delete(victim);
    const why = `evicted to make room for image ${this.nameOf(forSha)}, which a VM uses; no VM uses this one`;
    this.options.log(`image ${this.nameOf(victim)} (${victim.slice(0, 12)}): ${why}`);
    this.options.onEvent('ImageEvicted', `image ${this.nameOf(victim)}: ${why}`);
    const v = this.bySha.get(victim);
    if (v) {
      Object.assign(v, { state: 'no-room', error: why, bytesDone: 0, updated: this.now() });
      this.lastFailure.set(victim, why);
    }
    this.options.onChange();
  }

  private async download(sha: string, s: ShaState): Promise<void> {
    const abort = new AbortController();
    s.abort = abort;
    let lastReport = 0;
    try {
      const reserve = await this.makeRoom(sha, s);
      if (reserve === undefined) return;
      // A retry keeps the previous error visible until it succeeds.
      Object.assign(s, { state: 'downloading', updated: this.now() });
      this.options.onChange();
      const result = await downloadImage({ ...s.entry, knownBad: s.knownBad }, {
        cacheDir: this.options.cacheDir,
        stallMs: this.options.stallMs,
        reserveBytes: reserve,
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
      Object.assign(s, { state: 'ready', bytesDone: result.bytes, bytesTotal: result.bytes, error: undefined, failures: 0, knownBad: undefined, updated: this.now() });
      this.lastFailure.delete(sha);
      this.options.log(`image ${this.nameOf(sha)} (${sha.slice(0, 12)}): ready, ${result.bytes} bytes${result.resumedFrom > 0 ? `, resumed at ${result.resumedFrom}` : ''}`);
    } catch (error) {
      if (abort.signal.aborted || this.stopped || !this.bySha.has(sha)) {
        if (!this.bySha.has(sha)) {
          await fs.rm(join(this.options.cacheDir, partialFileName(sha)), { force: true });
          await fs.rm(join(this.options.cacheDir, validatorFileName(sha)), { force: true });
        }
        return;
      }
      // The same wrong file as last time: the reason stays what it was (and no new Event).
      const message = error instanceof DownloadError && error.unchanged && s.error ? s.error : failureMessage(error);
      if (error instanceof DownloadError && error.kind === 'checksum') s.knownBad = error.validator ?? s.knownBad;
      this.counters.downloadsFailed++;
      s.failures++;
      const delay = backoffDelay(s.failures, this.options.backoff ?? defaultBackoff);
      Object.assign(s, { state: 'failed', error: message, updated: this.now() });
      this.options.log(`image ${this.nameOf(sha)}: download failed (${message}); failure ${s.failures}, retry in ${humanDelay(delay)}`);
      if (this.lastFailure.get(sha) !== message) {
        this.lastFailure.set(sha, message);
        for (const [name, n] of this.names) if (n === sha) this.options.onEvent('ImageDownloadFailed', `image ${name}: ${message}`);
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

/** What the node status says about a failed download. */
function failureMessage(error: unknown): string {
  if (!(error instanceof DownloadError)) return `unexpected error: ${(error as Error).message}`;
  // The catalog's sha256 is what is wrong, or the URL serves another file: nothing a retry fixes.
  if (error.kind === 'checksum') return `the file at the URL does not match the catalog's sha256 (${error.message})`;
  return error.message;
}
