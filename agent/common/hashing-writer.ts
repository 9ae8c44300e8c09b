// Writes a download into its partial file and hashes it, on a worker thread of its own
// (hashing-writer-thread.ts), so that the main thread only moves bytes off the socket. Measured on
// two cores: with the write and sha256 on the main thread it was the bottleneck (one core busy, the
// other idle); with both on the worker the two threads need about the same time and run together.
// Chunks are handed over without a copy (their memory is transferred), at most QUEUE_LIMIT_BYTES at
// a time, so memory stays flat. While the worker writes, the main thread has the kernel write the
// file back every WRITE_BACK_EVERY_BYTES, so the final fsync finds little left to flush.
import { constants, close, fdatasync, fstat, fsync, ftruncate, open } from 'node:fs';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';

/** Bytes handed to the worker but not yet written: the most memory the chunks in flight take. */
export const QUEUE_LIMIT_BYTES = 4 * 1024 * 1024;
/** V8 heap limits of the writer thread, in MB. */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16, codeRangeSizeMb: 4 };
/** How often, in bytes handed over, to start an fdatasync of what the worker has written so far. */
export const WRITE_BACK_EVERY_BYTES = 32 * 1024 * 1024;

export interface WriterThreadData {
  fd: number;
  /** Bytes already in the file, hashed before anything else. */
  prefixBytes: number;
  /** One Int32: bytes queued for the worker. */
  queued: SharedArrayBuffer;
}
/** Main → worker, besides the chunks themselves (Uint8Array). */
export type WriterCommand = 'restart' | 'end';
export type WriterReport = { kind: 'ready' } | { kind: 'done'; digest: string; bytes: number } | { kind: 'failed'; code?: string; message: string };

const openFile = promisify(open);
const closeFile = promisify(close);
const statFile = promisify(fstat);
const truncateFile = promisify(ftruncate);
const syncFile = promisify(fsync);
const syncData = promisify(fdatasync);

/** Atomics.waitAsync: ES2024, in Node 22, but not in the project's TypeScript library (ES2023). */
const atomics = Atomics as typeof Atomics & {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
};

/** A failure of the writer itself (its file or its thread), as opposed to the transfer. */
export class ImageWriteError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ImageWriteError';
  }
}

let liveThreads = 0;
/** Writer threads that have not exited yet (for tests: a download must never leave one behind). */
export function liveWriterThreads(): number {
  return liveThreads;
}

/** True when the chunk is the only view of its whole memory, so that memory can be handed over. */
export function ownsWholeBuffer(chunk: Uint8Array): boolean {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
}

type Waiter = { kind: WriterReport['kind']; resolve: (report: WriterReport) => void; reject: (error: Error) => void };

export class HashingWriter {
  private readonly queued: Int32Array;
  private readonly waiters = new Set<Waiter>();
  private failure: Error | undefined;
  private exited = false;
  private finished = false;
  private closed = false;
  private handedOver = 0;
  private lastWriteBack = 0;
  private writeBack: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly fd: number,
    queued: SharedArrayBuffer,
  ) {
    this.queued = new Int32Array(queued);
    liveThreads++;
    worker.on('message', (report: WriterReport) => {
      if (report.kind === 'failed') return this.fail(new ImageWriteError(report.message, report.code));
      if (report.kind === 'done') this.finished = true;
      for (const w of this.waiters) if (w.kind === report.kind) {
        this.waiters.delete(w);
        w.resolve(report);
      }
    });
    worker.on('error', (error) => this.fail(new ImageWriteError(`the image writer thread failed: ${error.message}`)));
    worker.on('exit', (code) => {
      this.exited = true;
      liveThreads--;
      if (!this.closed && !this.finished) this.fail(new ImageWriteError(`the image writer thread stopped (exit code ${code})`));
    });
  }

  private static async start(fd: number, prefixBytes: number): Promise<HashingWriter> {
    const queued = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const data: WriterThreadData = { fd, prefixBytes, queued };
    let worker: Worker;
    try {
      // The thread keeps no data of its own (chunks are freed as soon as they are written): a small
      // heap keeps its share of the agent's memory small.
      worker = new Worker(new URL('./hashing-writer-thread.js', import.meta.url), { workerData: data, stdout: false, stderr: false, resourceLimits: WORKER_LIMITS });
    } catch (error) {
      await closeFile(fd);
      throw error;
    }
    const writer = new HashingWriter(worker, fd, queued);
    try {
      await writer.expect('ready');
    } catch (error) {
      await writer.close();
      throw error;
    }
    return writer;
  }

  /** Opens (or creates) a partial file to append to; resolves once its first prefixBytes are hashed. */
  static async open(path: string, prefixBytes: number): Promise<HashingWriter> {
    return HashingWriter.start(await openFile(path, constants.O_RDWR | constants.O_CREAT, 0o644), prefixBytes);
  }

  /** The sha256 of a whole file, computed off the main thread. */
  static async hashFile(path: string): Promise<string> {
    const fd = await openFile(path, constants.O_RDONLY);
    let size: number;
    try {
      size = (await statFile(fd)).size;
    } catch (error) {
      await closeFile(fd);
      throw error;
    }
    const writer = await HashingWriter.start(fd, size);
    try {
      return (await writer.end()).digest;
    } finally {
      await writer.close();
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiters) w.reject(this.failure);
    this.waiters.clear();
  }

  private expect(kind: WriterReport['kind']): Promise<WriterReport> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.add({ kind, resolve, reject }));
  }

  /** The worker's error (a write that failed, ENOSPC…), once there is one. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Whether another chunk may be handed over without waiting for room(). */
  get hasRoom(): boolean {
    return Atomics.load(this.queued, 0) < QUEUE_LIMIT_BYTES;
  }

  /**
   * Hands a chunk to the worker, to be written after everything before it. Takes the chunk: when it
   * is the only view of its memory, that memory moves to the worker and the chunk is empty afterwards.
   */
  write(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    const owned = ownsWholeBuffer(chunk) ? chunk : new Uint8Array(chunk);
    const length = owned.byteLength;
    Atomics.add(this.queued, 0, length);
    try {
      this.worker.postMessage(owned, [owned.buffer as ArrayBuffer]);
    } catch {
      // memory Node will not let go of (a pooled buffer): send a copy we own instead
      const copy = new Uint8Array(owned);
      this.worker.postMessage(copy, [copy.buffer]);
    }
    this.handedOver += length;
    if (WRITE_BACK_EVERY_BYTES > 0 && this.handedOver - this.lastWriteBack >= WRITE_BACK_EVERY_BYTES && !this.writeBack) {
      this.lastWriteBack = this.handedOver;
      this.writeBack = syncData(this.fd).then(
        () => {
          this.writeBack = undefined;
        },
        (error: Error) => {
          this.writeBack = undefined;
          this.fail(error);
        },
      );
    }
  }

  /** Resolves when the worker has room for more chunks; rejects when it failed. */
  async room(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      const queued = Atomics.load(this.queued, 0);
      if (queued < QUEUE_LIMIT_BYTES) return;
      // The timeout only makes sure a failure reported meanwhile is noticed.
      const wait = atomics.waitAsync(this.queued, 0, queued, 100);
      if (wait.async) await wait.value;
    }
  }

  /** Empties the file and the hash: the server sent the whole file instead of the rest. */
  async restart(): Promise<void> {
    if (this.failure) throw this.failure;
    await truncateFile(this.fd, 0);
    this.worker.postMessage('restart' satisfies WriterCommand);
    this.handedOver = 0;
    this.lastWriteBack = 0;
  }

  /** After the last chunk: waits for the worker to write and hash everything. */
  async end(): Promise<{ digest: string; bytes: number }> {
    const done = this.expect('done');
    this.worker.postMessage('end' satisfies WriterCommand);
    const report = (await done) as Extract<WriterReport, { kind: 'done' }>;
    await this.writeBack;
    if (this.failure) throw this.failure;
    return { digest: report.digest, bytes: report.bytes };
  }

  /** fsync of the file (after end()). */
  async sync(): Promise<void> {
    await syncFile(this.fd);
  }

  /** Stops the worker if it still runs, then closes the file. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeBack?.catch(() => undefined);
    // The worker must be gone before the descriptor is closed: a write still in flight would
    // otherwise land in whatever file reuses the number.
    if (!this.exited) await this.worker.terminate();
    // Whoever still waits (room() under back-pressure, end()) must not wait for a thread that is gone.
    if (!this.finished) this.fail(new ImageWriteError('the image writer was closed'));
    await closeFile(this.fd);
  }
}
