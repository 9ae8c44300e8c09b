// The one image downloader, used by the node agent's cache and by the launcher when the node has
// not cached a VM's base image. The body is streamed through sha256 into a partial file, resumed
// with HTTP Range after any interruption (the bytes already on disk are hashed again) but only
// when the server says the file is unchanged (If-Range with the ETag or Last-Modified it gave for
// the partial's bytes, kept beside it in <partial>.validator; none given, no resume), and renamed
// to its final name only after fsync and a matching checksum, so a final name always holds a
// whole, verified, durable file. Memory stays flat whatever the size: the body is never buffered,
// only handed on to the writer thread (hashing-writer.ts), which writes and hashes it while this
// thread reads the next bytes. BENCHMARKS.md ("image cache fill") measures it.
import { promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { freeBytes } from './disk.js';
import { HashingWriter, ImageWriteError } from './hashing-writer.js';
import { collectStreamGarbage } from './memory.js';
import { HttpStatusError, ifRange, interpretResponse, validatorOf, type Validator } from './range.js';
import { HttpRedirectError, HttpStallError, httpGet } from './http-get.js';

export type DownloadFailure = 'checksum' | 'http' | 'stalled' | 'disk' | 'network' | 'aborted';

export class DownloadError extends Error {
  /** kind 'checksum': the version of the file that did not match, when the server named it. */
  validator?: Validator;
  /** kind 'checksum': the server still offers the version that did not match (304 to knownBad). */
  unchanged?: boolean;

  constructor(readonly kind: DownloadFailure, message: string) {
    super(message);
  }
}

/** What to fetch. */
export interface DownloadSource {
  url: string;
  /**
   * The expected sha256. Without it (a VM made from a bare URL) the file is stored unverified and
   * its sha256 returned; it is then also never resumed, since nothing could tell a resumed file
   * that mixes two versions of the URL's content from a good one.
   */
  sha256?: string;
  /** Size in bytes, when known: checked against the server's and against free disk up front. */
  size?: number;
  /**
   * The version of the file that last failed its checksum. A fresh download then asks for the
   * file only if it changed (If-None-Match / If-Modified-Since), so a URL that keeps serving the
   * wrong file costs a request, not a whole download, at every retry.
   */
  knownBad?: Validator;
}

/** Where to put it: both in one directory, so the final rename is atomic. */
export interface DownloadFiles {
  final: string;
  /** Kept across failures and restarts so the next attempt resumes. */
  partial: string;
}

export interface DownloadOptions {
  /** No byte (or no response) for this long means the transfer is stalled. */
  stallMs: number;
  /** Free space to leave on the target file system. */
  reserveBytes: number;
  /** How often, in bytes written, to check free space during the transfer. */
  diskCheckEveryBytes?: number;
  onProgress?: (bytesDone: number, bytesTotal: number | undefined) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** The content's sha256 (the expected one, when it was given). */
  sha256: string;
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
  if (e.code === 'ENOSPC') return new DownloadError('disk', 'no space left on the file system the image is written to');
  if (e.code === 'EDQUOT') return new DownloadError('disk', 'disk quota exceeded on the file system the image is written to');
  if (error instanceof ImageWriteError) return new DownloadError('disk', `writing the image failed: ${e.code ? `${e.code}: ` : ''}${e.message}`);
  return new DownloadError('network', `${e.code ? `${e.code}: ` : ''}${e.message}`);
}

async function ensureSpace(dir: string, needed: number, reserve: number): Promise<void> {
  const free = await freeBytes(dir);
  if (free - needed < reserve) {
    throw new DownloadError('disk', `not enough free disk: ${free} bytes free, ${needed} more needed plus ${reserve} kept in reserve`);
  }
}

/** Downloads (and, given a sha256, verifies) one file; returns when the final file exists. */
export async function downloadFile(entry: DownloadSource, files: DownloadFiles, options: DownloadOptions): Promise<DownloadResult> {
  const sha = entry.sha256?.toLowerCase();
  const { partial, final } = files;
  const dir = dirname(final);
  const validatorFile = `${partial}.validator`;
  if (sha === undefined) await fs.rm(partial, { force: true });
  let have = (await fs.stat(partial).catch(() => undefined))?.size ?? 0;
  // Bytes from a version of the file the server cannot vouch for are not resumed.
  const validator = have > 0 ? await readValidator(validatorFile) : undefined;
  if ((entry.size !== undefined && have > entry.size) || (have > 0 && !validator)) {
    await fs.truncate(partial, 0);
    have = 0;
  }
  let resumedFrom = have;
  await ensureSpace(dir, entry.size !== undefined ? entry.size - have : 0, options.reserveBytes);
  // The bytes kept from an earlier attempt are hashed again before the request, so a long re-hash
  // never holds an open connection idle. Without them the file is created when the body arrives.
  let writer = have > 0 ? await HashingWriter.open(partial, have) : undefined;
  let done = have;
  let hashed: { digest: string; bytes: number };
  try {
    let res: IncomingMessage;
    try {
      res = await httpGet(entry.url, { headers: requestHeaders(have, validator, entry.knownBad), stallMs: options.stallMs, signal: options.signal });
    } catch (error) {
      throw networkError(error, options.signal);
    }
    if (res.statusCode === 304 && have === 0 && entry.knownBad) {
      res.resume();
      const unchanged = new DownloadError('checksum', `checksum mismatch: the server still offers the same file (HTTP 304 Not Modified), which did not match sha256 ${sha}`);
      unchanged.validator = entry.knownBad;
      unchanged.unchanged = true;
      throw unchanged;
    }
    const offered = validatorOf(res.headers);
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
      // The server ignored the Range, or the file changed (If-Range): the whole file comes again,
      // so nothing was resumed.
      await writer.restart();
      have = 0;
      done = 0;
      resumedFrom = 0;
    }
    // Before any byte of the whole file is written: the bytes the partial will hold are this version's.
    if (outcome.action === 'restart') await writeValidator(validatorFile, offered);
    const total = outcome.total ?? entry.size;
    if (total !== undefined && entry.size !== undefined && total !== entry.size) {
      res.resume();
      throw new DownloadError('http', `the server offers ${total} bytes, not the ${entry.size} expected`);
    }
    if (outcome.action !== 'complete' && total !== undefined && entry.size === undefined) {
      await ensureSpace(dir, total - have, options.reserveBytes);
    }

    try {
      if (outcome.action === 'complete') res.resume();
      else {
        writer ??= await HashingWriter.open(partial, 0);
        done = await receive(res, writer, done, total, dir, options);
      }
      // 'complete' comes only with bytes kept on disk, so a writer exists.
      hashed = await writer!.end();
    } catch (error) {
      const failure = networkError(error, options.signal);
      // A full disk may show while the body arrives or only when the writer drains its queue.
      if (failure.kind === 'disk') {
        await writer?.close();
        await fs.rm(partial, { force: true });
        await fs.rm(validatorFile, { force: true });
      } else {
        // Every byte received goes to the partial file before it is closed (closing drops what the
        // writer thread has not written yet), so the next attempt resumes after all of them.
        await writer?.end().catch(() => undefined);
      }
      throw failure;
    }
    if (hashed.bytes !== done) throw new Error(`the image writer wrote ${hashed.bytes} bytes, the download received ${done}`);
    await writer!.sync();
  } finally {
    await writer?.close();
  }

  if (sha !== undefined && hashed.digest !== sha) {
    await fs.rm(partial, { force: true });
    const validatorOfBad = await readValidator(validatorFile);
    await fs.rm(validatorFile, { force: true });
    const mismatch = new DownloadError('checksum', `checksum mismatch: expected sha256 ${sha}, got ${hashed.digest} (${done} bytes)`);
    mismatch.validator = validatorOfBad;
    throw mismatch;
  }
  await fs.rename(partial, final);
  await fs.rm(validatorFile, { force: true });
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { path: final, bytes: done, sha256: hashed.digest, resumedFrom };
}

function requestHeaders(have: number, validator: Validator | undefined, knownBad: Validator | undefined): Record<string, string> {
  if (have > 0 && validator) return { Range: `bytes=${have}-`, 'If-Range': ifRange(validator) };
  if (knownBad?.etag) return { 'If-None-Match': knownBad.etag };
  if (knownBad?.lastModified) return { 'If-Modified-Since': knownBad.lastModified };
  return {};
}

async function readValidator(file: string): Promise<Validator | undefined> {
  try {
    const v = JSON.parse(await fs.readFile(file, 'utf8')) as Validator;
    return typeof v.etag === 'string' || typeof v.lastModified === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Without a validator the file is removed, so the partial it would describe is never resumed. */
async function writeValidator(file: string, validator: Validator | undefined): Promise<void> {
  if (validator) await fs.writeFile(file, JSON.stringify(validator));
  else await fs.rm(file, { force: true });
}

/**
 * Streams the response body into the writer, counting from `done` bytes; returns the new count.
 * Watches for a stalled server and a disk filling up meanwhile.
 */
async function receive(res: IncomingMessage, writer: HashingWriter, done: number, total: number | undefined, dir: string, options: DownloadOptions): Promise<number> {
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
    const free = await freeBytes(dir).catch(() => Infinity);
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
 * Hashes a finished file again, off the main thread; the agent's cache uses it at start so a
 * corrupt file never stays under a final name. False when it reads back wrong; an error when it
 * cannot be read at all (that proves nothing).
 */
export async function verifyFile(path: string, sha256: string): Promise<boolean> {
  return (await HashingWriter.hashFile(path)) === sha256.toLowerCase();
}
