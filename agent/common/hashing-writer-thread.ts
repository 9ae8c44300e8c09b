// The worker thread behind HashingWriter (hashing-writer.ts). It owns the sha256 state: it first
// hashes the bytes already in the file (a resumed download), then writes every chunk it is handed
// at the end of the file and hashes it. The file descriptor belongs to the main thread, which
// closes it only after this thread has stopped.
import { createHash } from 'node:crypto';
import { readSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { WriterCommand, WriterReport, WriterThreadData } from './hashing-writer.js';

/** Read size when hashing the bytes already on disk: one buffer, reused, so no garbage piles up. */
const PREFIX_READ_BYTES = 1024 * 1024;

const port = parentPort!;
const { fd, prefixBytes, queued } = workerData as WriterThreadData;
const queuedBytes = new Int32Array(queued);
let hash = createHash('sha256');
let position = 0;
let failed = false;

function report(message: WriterReport): void {
  port.postMessage(message);
}

function fail(error: unknown): void {
  failed = true;
  const e = error as NodeJS.ErrnoException;
  report({ kind: 'failed', code: e.code, message: e.message });
}

function hashPrefix(): void {
  const buffer = Buffer.allocUnsafeSlow(PREFIX_READ_BYTES);
  while (position < prefixBytes) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, prefixBytes - position), position);
    if (n === 0) throw new Error(`the file ends at byte ${position}, before the ${prefixBytes} bytes already downloaded`);
    hash.update(buffer.subarray(0, n));
    position += n;
  }
}

function writeAndHash(chunk: Uint8Array): void {
  for (let offset = 0; offset < chunk.byteLength; ) {
    const n = writeSync(fd, chunk, offset, chunk.byteLength - offset, position);
    offset += n;
    position += n;
  }
  hash.update(chunk);
}

/** Frees the chunk's memory now instead of at this thread's next garbage collection. */
function release(chunk: Uint8Array): void {
  try {
    (chunk.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }).transfer?.(0);
  } catch {
    // not detachable: the collector frees it
  }
}

port.on('message', (message: Uint8Array | WriterCommand) => {
  if (message instanceof Uint8Array) {
    const length = message.byteLength;
    try {
      if (!failed) writeAndHash(message);
    } catch (error) {
      fail(error);
    } finally {
      release(message);
      Atomics.sub(queuedBytes, 0, length);
      Atomics.notify(queuedBytes, 0);
    }
  } else if (message === 'restart') {
    hash = createHash('sha256');
    position = 0;
  } else if (message === 'end') {
    if (!failed) report({ kind: 'done', digest: hash.digest('hex'), bytes: position });
    port.close();
  }
});

try {
  hashPrefix();
  report({ kind: 'ready' });
} catch (error) {
  fail(error);
}
