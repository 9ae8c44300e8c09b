// HashingWriter on real files and a real worker thread: what it writes and hashes, resuming after
// bytes already on disk, restarting, back-pressure, failures of the file, and that no thread and
// no waiter outlives close().
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashingWriter, ImageWriteError, liveWriterThreads, ownsWholeBuffer, QUEUE_LIMIT_BYTES } from '../../../../agent/common/hashing-writer.js';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('HashingWriter', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 't-hashing-writer-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(liveWriterThreads(), 0, 'a writer thread outlived its test');
  });

  it('appends every chunk in order and hashes exactly what it wrote', async () => {
    const path = join(dir, 'image.partial');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const writer = await HashingWriter.open(path, 0);
    try {
      for (let i = 0; i < data.length; i += 64 * 1024) {
        writer.write(new Uint8Array(data.subarray(i, i + 64 * 1024)));
        if (!writer.hasRoom) await writer.room();
      }
      assert.deepEqual(await writer.end(), { digest: sha(data), bytes: data.length });
      await writer.sync();
    } finally {
      await writer.close();
    }
    assert.ok(readFileSync(path).equals(data));
  });

  it('resumes: hashes the bytes already in the file first, then appends after them', async () => {
    const path = join(dir, 'image.partial');
    const data = randomBytes(2 * 1024 * 1024 + 5);
    const kept = 1024 * 1024 + 3;
    writeFileSync(path, data.subarray(0, kept));
    const writer = await HashingWriter.open(path, kept);
    try {
      writer.write(new Uint8Array(data.subarray(kept)));
      assert.deepEqual(await writer.end(), { digest: sha(data), bytes: data.length });
    } finally {
      await writer.close();
    }
    assert.ok(readFileSync(path).equals(data));
  });

  it('restart empties the file and the hash, for a server that ignored the Range', async () => {
    const path = join(dir, 'image.partial');
    writeFileSync(path, 'stale bytes of an earlier attempt');
    const writer = await HashingWriter.open(path, 11);
    const fresh = Buffer.from('the whole file, sent again');
    try {
      await writer.restart();
      writer.write(new Uint8Array(fresh));
      assert.deepEqual(await writer.end(), { digest: sha(fresh), bytes: fresh.length });
    } finally {
      await writer.close();
    }
    assert.equal(readFileSync(path, 'utf8'), fresh.toString());
  });

  it('takes the memory of a chunk it owns, and copies one that shares its memory', async () => {
    const writer = await HashingWriter.open(join(dir, 'image.partial'), 0);
    try {
      const owned = new Uint8Array(1024).fill(7);
      assert.ok(ownsWholeBuffer(owned));
      writer.write(owned);
      assert.equal(owned.byteLength, 0, 'the owned chunk was handed over, not copied');
      const pool = Buffer.alloc(4096, 1);
      const shared = pool.subarray(1024, 2048);
      assert.ok(!ownsWholeBuffer(shared));
      writer.write(shared);
      assert.equal(shared.byteLength, 1024, 'a shared chunk stays usable by its owner');
      assert.equal((await writer.end()).bytes, 2048);
    } finally {
      await writer.close();
    }
  });

  it('applies back-pressure past its queue limit, and room() follows the worker', async () => {
    const writer = await HashingWriter.open(join(dir, 'image.partial'), 0);
    try {
      const chunk = 1024 * 1024;
      let handed = 0;
      // The worker drains while this loop hands chunks, so `handed` may pass the limit by what it
      // already wrote; the loop only has to end (hasRoom turns false), long before this bound.
      while (writer.hasRoom) {
        writer.write(new Uint8Array(chunk));
        handed += chunk;
        assert.ok(handed <= 16 * QUEUE_LIMIT_BYTES, 'hasRoom never turned false');
      }
      await writer.room();
      assert.ok(writer.hasRoom);
      assert.equal((await writer.end()).bytes, handed);
    } finally {
      await writer.close();
    }
  });

  it('a write that fails (ENOSPC on /dev/full) rejects end() with the error and its code', async () => {
    const writer = await HashingWriter.open('/dev/full', 0);
    try {
      writer.write(new Uint8Array(4096));
      await assert.rejects(writer.end(), (error: Error & { code?: string }) => error instanceof ImageWriteError && error.code === 'ENOSPC');
      assert.throws(() => writer.write(new Uint8Array(1)), ImageWriteError, 'a failed writer takes no more chunks');
    } finally {
      await writer.close();
    }
  });

  it('close() under back-pressure releases whoever waits for room instead of leaving them waiting', async () => {
    const writer = await HashingWriter.open(join(dir, 'image.partial'), 0);
    // Far more than the queue limit, so the worker is still writing when it is stopped.
    for (let i = 0; i < 32; i++) writer.write(new Uint8Array(4 * 1024 * 1024));
    assert.ok(!writer.hasRoom);
    const waiting = writer.room().then(
      () => 'room',
      (error: Error) => error.message,
    );
    await writer.close();
    // Left waiting, this test would time out: no clock of its own decides how long release may take.
    assert.equal(await waiting, 'the image writer was closed');
  });

  it('hashFile hashes a whole file off the main thread, and rejects what it cannot read', async () => {
    const data = randomBytes(1024 * 1024 + 1);
    writeFileSync(join(dir, 'file'), data);
    assert.equal(await HashingWriter.hashFile(join(dir, 'file')), sha(data));
    await assert.rejects(HashingWriter.hashFile(dir), /EISDIR|illegal operation on a directory/);
    await assert.rejects(HashingWriter.hashFile(join(dir, 'missing')), /ENOENT/);
  });
});
