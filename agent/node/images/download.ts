// Downloads one image into the cache directory: streamed through sha256 into a hidden partial file,
// resumed with HTTP Range after any interruption (the bytes already on disk are hashed again), and
// renamed to its content-addressed name only after fsync and a matching checksum. Memory stays flat
// whatever the size: the body is never buffered, only handed on to the writer thread
// (hashing-writer.ts), which writes and hashes it while this thread reads the next bytes.
import { promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CatalogEntry } from '../../../shared/contract.js';
import { freeBytes } from './disk.js';
import { cachedImageFileName, partialFileName } from './files.js';
import { HashingWriter, ImageWriteError } from './hashing-writer.js';
import { collectStreamGarbage } from './memory.js';
import { HttpStatusError, interpretResponse } from './range.js';
import { HttpRedirectError, HttpStallError, httpGet } from '../../common/http-get.js';

export type DownloadFailure = 'checksum' | 'http' | 'stalled' | 'disk' | 'network' | 'aborted';

export class DownloadError extends Error {
  constructor(readonly kind: DownloadFailure, message: string) {
    super(message);
  }
}

export interface DownloadOptions {
  cacheDir: string;
  /** No byte (or no response) for this long means the transfer is stalled. */
  stallMs: number;
  /** Free space to leave on the cache file system. */
  reserveBytes: number;
  /** How often, in bytes written, to check free space during the transfer. */
  diskCheckEveryBytes?: number;
  onProgress?: (bytesDone: number, bytesTotal: number | undefined) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** Bytes that were already on disk from an earlier attempt. */
  resumedFrom: number;
}

/** How much transfer between two minor collections (see memory.ts). */
const GC_EVERY_BYTES = 2 * 1024 * 1024;

function networkError(error: unknown, signal?: AbortSignal): DownloadError {
  if (error instanceof DownloadError) return error;
  if (error instanceof HttpStallError) return new DownloadError('stalled', error.message);
  if (error instanceof HttpRedirectError) return new DownloadError('http', error.message);
  if (signal?.aborted) return new DownloadError('aborted', 'the download was cancelled');
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOSPC') return new DownloadError('disk', 'no space left on the image cache file system');
  if (e.code === 'EDQUOT') return new DownloadError('disk', 'disk quota exceeded on the image cache file system');
  if (error instanceof ImageWriteError) return new DownloadError('disk', `writing the image failed: ${e.code ? `${e.code}: ` : ''}${e.message}`);
  return new DownloadError('network', `${e.code ? `${e.code}: ` : ''}${e.message}`);
}

async function ensureSpace(dir: string, needed: number, reserve: number): Promise<void> {
  const free = await freeBytes(dir);
  if (free - needed < reserve) {
    throw new DownloadError('disk', `not enough free disk: ${free} bytes free, ${needed} more needed plus ${reserve} kept in reserve`);
  }
}

/** Downloads and verifies one catalog entry; returns when the final file exists. */
export async function downloadImage(entry: CatalogEntry, options: DownloadOptions): Promise<DownloadResult> {
  const sha = entry.sha256.toLowerCase();
  const partial = join(options.cacheDir, partialFileName(sha));
  const final = join(options.cacheDir, cachedImageFileName(sha));
  let have = (await fs.stat(partial).catch(() => undefined))?.size ?? 0;
  if (entry.size !== undefined && have > entry.size) {
    await fs.truncate(partial, 0);
    have = 0;
  }
  let resumedFrom = have;
  await ensureSpace(options.cacheDir, entry.size !== undefined ? entry.size - have : 0, options.reserveBytes);
  // The bytes kept from an earlier attempt are hashed again before the request, so a long re-hash
  // never holds an open connection idle. Without them the file is created when the body arrives.
  let writer = have > 0 ? await HashingWriter.open(partial, have) : undefined;
  let done = have;
  let hashed: { digest: string; bytes: number };
  try {
    let res: IncomingMessage;
    try {
      res = await httpGet(entry.url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, stallMs: options.stallMs, signal: options.signal });
    } catch (error) {
      throw networkError(error, options.signal);
    }
    let outcome;
    try {
      outcome = interpretResponse(res.statusCode ?? 0, have, res.headers as Record<string, string>);
    } catch (error) {
      res.resume();
      if (error instanceof HttpStatusError) {
        if (error.status === 416 || error.status === 206) await fs.truncate(partial, 0).catch(() => undefined);
        throw new DownloadError('http', `${error.message} for ${entry.url}`);
      }
      throw error;
    }
    if (outcome.action === 'restart' && writer) {
      // The server ignored the Range: the whole file comes again, so nothing was resumed.
      await writer.restart();
      have = 0;
      done = 0;
      resumedFrom = 0;
    }
    const total = outcome.total ?? entry.size;
    if (total !== undefined && entry.size !== undefined && total !== entry.size) {
      res.resume();
      throw new DownloadError('http', `the server offers ${total} bytes but the catalog says ${entry.size}`);
    }
    if (outcome.action !== 'complete' && total !== undefined && entry.size === undefined) {
      await ensureSpace(options.cacheDir, total - have, options.reserveBytes);
    }

    try {
      if (outcome.action === 'complete') res.resume();
      else {
        writer ??= await HashingWriter.open(partial, 0);
        done = await receive(res, writer, done, total, options);
      }
      // 'complete' comes only with bytes kept on disk, so a writer exists.
      hashed = await writer!.end();
    } catch (error) {
      const failure = networkError(error, options.signal);
      // A full disk may show while the body arrives or only when the writer drains its queue.
      if (failure.kind === 'disk') {
        await writer?.close();
        await fs.rm(partial, { force: true });
      }
      throw failure;
    }
    if (hashed.bytes !== done) throw new Error(`the image writer wrote ${hashed.bytes} bytes, the download received ${done}`);
    await writer!.sync();
  } finally {
    await writer?.close();
  }

  if (hashed.digest !== sha) {
    await fs.rm(partial, { force: true });
    throw new DownloadError('checksum', `checksum mismatch: expected sha256 ${sha}, got ${hashed.digest} (${done} bytes)`);
  }
  await fs.rename(partial, final);
  const dir = await fs.open(options.cacheDir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return { path: final, bytes: done, resumedFrom };
}

/**
 * Streams the response body into the writer, counting from `done` bytes; returns the new count.
 * Watches for a stalled server and a disk filling up meanwhile.
 */
async function receive(res: IncomingMessage, writer: HashingWriter, done: number, total: number | undefined, options: DownloadOptions): Promise<number> {
  const checkEvery = options.diskCheckEveryBytes ?? 8 * 1024 * 1024;
  let sinceCheck = 0;
  let stallTimer: NodeJS.Timeout | undefined;
  let stalled: DownloadError | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      stalled = new DownloadError('stalled', `no data for ${(options.stallMs / 1000).toFixed(1)} s at byte ${done}`);
      res.destroy(stalled);
    }, options.stallMs);
  };
  const diskCheck = async () => {
    const free = await freeBytes(options.cacheDir).catch(() => Infinity);
    if (free < options.reserveBytes) throw new DownloadError('disk', `the disk filled up during the download (${free} bytes free)`);
  };
  let sinceCollect = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      armStall();
      done += chunk.length;
      sinceCheck += chunk.length;
      sinceCollect += chunk.length;
      // The socket's read buffers the body chunks are cut from stay behind on this thread.
      if (sinceCollect >= GC_EVERY_BYTES) {
        sinceCollect = 0;
        collectStreamGarbage();
      }
      options.onProgress?.(done, total);
      try {
        writer.write(chunk); // takes the chunk: its memory moves to the writer's thread
      } catch (error) {
        return callback(error as Error);
      }
      const waits: Promise<void>[] = [];
      if (!writer.hasRoom) waits.push(writer.room());
      if (sinceCheck >= checkEvery) {
        sinceCheck = 0;
        waits.push(diskCheck());
      }
      if (waits.length === 0) return callback();
      Promise.all(waits).then(() => callback(), callback);
    },
  });
  armStall();
  try {
    await pipeline(res, sink, { signal: options.signal });
  } catch (error) {
    throw stalled ?? error;
  } finally {
    clearTimeout(stallTimer);
  }
  if (res.complete === false || (total !== undefined && done < total)) {
    throw new DownloadError('network', `the connection ended after ${done} of ${total ?? '?'} bytes`);
  }
  return done;
}

/**
 * Hashes a finished image again; used at start so a corrupt file never stays under a final name.
 * False when it reads back wrong; an error when it cannot be read at all (that proves nothing).
 */
export async function verifyCachedImage(path: string, sha256: string): Promise<boolean> {
  return (await HashingWriter.hashFile(path)) === sha256.toLowerCase();
}
