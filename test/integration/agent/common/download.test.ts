// The downloader against a real local HTTP server: happy path, wrong checksum, 404, stall, cut
// connection with resume, a server that ignores Range, a file that changes between attempts
// (If-Range), a server that names no version, a wrong file asked for again (If-None-Match), and a
// full disk (a small tmpfs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadImage, DownloadError } from '../../../../agent/node/images/download.js';
import { cachedImageFileName, partialFileName } from '../../../../agent/node/images/files.js';
import { skipLoudly } from '../../../support/skip.js';
import { ImageServer, randomImage } from '../../../support/image-server.js';

const MiB = 1024 * 1024;

describe('image download (local HTTP server)', function () {
  this.timeout(30_000);
  const server = new ImageServer();
  let dir: string;
  const opts = () => ({ cacheDir: dir, stallMs: 2000, reserveBytes: 0 });

  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 't-agent-dl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores a good image under its sha256 name and leaves no partial file', async () => {
    const img = randomImage(3 * MiB);
    server.serve('/good.qcow2', img.data);
    const result = await downloadImage({ url: server.url('/good.qcow2'), sha256: img.sha256, size: img.data.length }, opts());
    assert.equal(result.path, join(dir, cachedImageFileName(img.sha256)));
    assert.ok(readFileSync(result.path).equals(img.data));
    assert.deepEqual(readdirSync(dir), [cachedImageFileName(img.sha256)]);
  });

  it('rejects a wrong checksum: nothing appears under the final name and the partial is gone', async () => {
    const img = randomImage(MiB);
    server.serve('/wrong.qcow2', img.data);
    const claimed = 'f'.repeat(64);
    await assert.rejects(downloadImage({ url: server.url('/wrong.qcow2'), sha256: claimed }, opts()), (e: DownloadError) => {
      assert.equal(e.kind, 'checksum');
      assert.match(e.message, new RegExp(`expected sha256 ${claimed}, got ${img.sha256}`));
      return true;
    });
    assert.deepEqual(readdirSync(dir), []);
  });

  it('reports a 404 with the status and URL', async () => {
    await assert.rejects(downloadImage({ url: server.url('/missing.qcow2'), sha256: 'a'.repeat(64) }, opts()), (e: DownloadError) => {
      assert.equal(e.kind, 'http');
      assert.match(e.message, /HTTP 404 for http:\/\/127\.0\.0\.1:\d+\/missing\.qcow2/);
      return true;
    });
  });

  it('gives up on a stalled server after the stall timeout and keeps what arrived', async () => {
    const img = randomImage(2 * MiB);
    server.serve('/stall.qcow2', img.data, { kind: 'stall-after', bytes: 256 * 1024 });
    await assert.rejects(downloadImage({ url: server.url('/stall.qcow2'), sha256: img.sha256 }, { ...opts(), stallMs: 500 }), (e: DownloadError) => {
      assert.equal(e.kind, 'stalled');
      assert.match(e.message, /no data for 0\.5 s at byte 262144/);
      return true;
    });
    assert.equal(statSync(join(dir, partialFileName(img.sha256))).size, 256 * 1024);
    assert.equal(existsSync(join(dir, cachedImageFileName(img.sha256))), false);
  });

  it('resumes with Range after the connection is cut midway, re-hashing the bytes it kept', async () => {
    const img = randomImage(4 * MiB);
    const path = '/cut.qcow2';
    const file = server.serve(path, img.data, { kind: 'cut-after', bytes: 1536 * 1024 });
    const entry = { url: server.url(path), sha256: img.sha256, size: img.data.length };
    await assert.rejects(downloadImage(entry, opts()), (e: DownloadError) => e.kind === 'network');
    const kept = statSync(join(dir, partialFileName(img.sha256))).size;
    assert.ok(kept > 0 && kept <= 1536 * 1024, `kept ${kept} bytes`);
    assert.equal(existsSync(join(dir, cachedImageFileName(img.sha256))), false);
    file.mode = { kind: 'ok' };
    const result = await downloadImage(entry, opts());
    assert.equal(result.resumedFrom, kept);
    const reqs = server.requestsFor(path);
    assert.equal(reqs.length, 2);
    assert.equal(reqs[1].range, `bytes=${kept}-`);
    assert.equal(reqs[1].status, 206);
    assert.equal(reqs[1].bytesSent, img.data.length - kept);
    assert.ok(readFileSync(result.path).equals(img.data));
  });

  it('starts over cleanly when the server ignores Range', async () => {
    const img = randomImage(2 * MiB);
    const file = server.serve('/norange.qcow2', img.data, { kind: 'cut-after', bytes: 512 * 1024 });
    const entry = { url: server.url('/norange.qcow2'), sha256: img.sha256 };
    await assert.rejects(downloadImage(entry, opts()));
    file.mode = { kind: 'ignore-range' };
    const result = await downloadImage(entry, opts());
    assert.equal(server.requestsFor('/norange.qcow2')[1].status, 200);
    assert.ok(readFileSync(result.path).equals(img.data));
    assert.equal(result.resumedFrom, 0, 'the whole file came again: nothing was resumed');
    assert.equal(result.bytes, img.data.length);
  });

  it('resumes only the version it has: a file that changed between two attempts comes whole (If-Range)', async () => {
    const old = randomImage(2 * MiB);
    const latest = randomImage(2 * MiB);
    const path = '/latest.qcow2';
    const first = server.serve(path, old.data, { kind: 'cut-after', bytes: 512 * 1024, then: latest.data });
    const entry = { url: server.url(path), sha256: latest.sha256 };
    await assert.rejects(downloadImage(entry, opts()), (e: DownloadError) => e.kind === 'network');
    const kept = statSync(join(dir, partialFileName(latest.sha256))).size;
    assert.ok(kept > 0, 'the old version left a partial file');
    const result = await downloadImage(entry, opts());
    const reqs = server.requestsFor(path);
    assert.deepEqual(reqs.map((r) => [r.range, r.ifRange, r.status]), [[undefined, undefined, 200], [`bytes=${kept}-`, first.etag, 200]]);
    assert.equal(result.resumedFrom, 0, 'the server said the file changed: nothing was resumed');
    assert.ok(readFileSync(result.path).equals(latest.data));
    assert.deepEqual(readdirSync(dir), [cachedImageFileName(latest.sha256)], 'no partial and no validator left');
  });

  it('does not resume a partial file whose version the server never named', async () => {
    const img = randomImage(MiB);
    server.serve('/novalidator.qcow2', img.data, { kind: 'no-validators' });
    writeFileSync(join(dir, partialFileName(img.sha256)), img.data.subarray(0, 1000));
    const result = await downloadImage({ url: server.url('/novalidator.qcow2'), sha256: img.sha256 }, opts());
    assert.deepEqual(server.requestsFor('/novalidator.qcow2').map((r) => [r.range, r.status]), [[undefined, 200]]);
    assert.equal(result.resumedFrom, 0);
  });

  it('asks for a file that failed its checksum again only if it changed (If-None-Match)', async () => {
    const wrong = randomImage(MiB);
    const right = randomImage(MiB);
    const path = '/fixed-later.qcow2';
    const served = server.serve(path, wrong.data);
    const entry = { url: server.url(path), sha256: right.sha256 };
    const bad = await downloadImage(entry, opts()).then(
      () => assert.fail('a wrong file was accepted'),
      (e: DownloadError) => e,
    );
    assert.equal(bad.kind, 'checksum');
    assert.deepEqual(bad.validator, { etag: served.etag });
    await assert.rejects(downloadImage({ ...entry, knownBad: bad.validator }, opts()), (e: DownloadError) => {
      assert.equal(e.kind, 'checksum');
      assert.match(e.message, /the server still offers the same file \(HTTP 304 Not Modified\)/);
      return true;
    });
    server.serve(path, right.data);
    const result = await downloadImage({ ...entry, knownBad: bad.validator }, opts());
    assert.ok(readFileSync(result.path).equals(right.data));
    assert.deepEqual(server.requestsFor(path).map((r) => [r.ifNoneMatch, r.status, r.bytesSent]), [[undefined, 200, MiB], [served.etag, 304, 0], [served.etag, 200, MiB]]);
  });

  describe('on a full disk (a 2 MiB tmpfs)', () => {
    let mnt: string;
    before(function () {
      mnt = mkdtempSync(join(tmpdir(), 't-agent-tmpfs-'));
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'berth-test', mnt], { stdio: 'pipe' });
      } catch (error) {
        rmSync(mnt, { recursive: true, force: true });
        skipLoudly(this, `cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`);
      }
    });
    after(() => {
      if (!mnt) return;
      try {
        execFileSync('umount', [mnt]);
      } catch {
        /* not mounted */
      }
      rmSync(mnt, { recursive: true, force: true });
    });

    it('refuses before downloading when the catalog gives a size that does not fit', async () => {
      const img = randomImage(4 * MiB);
      server.serve('/big-known.qcow2', img.data);
      await assert.rejects(downloadImage({ url: server.url('/big-known.qcow2'), sha256: img.sha256, size: img.data.length }, { ...opts(), cacheDir: mnt }), (e: DownloadError) => {
        assert.equal(e.kind, 'disk');
        assert.match(e.message, /not enough free disk/);
        return true;
      });
      assert.equal(server.requestsFor('/big-known.qcow2').length, 0);
      assert.deepEqual(readdirSync(mnt), []);
    });

    it('fails cleanly when the disk fills up during a download of unknown size', async () => {
      const img = randomImage(4 * MiB);
      server.serve('/big-unknown.qcow2', img.data, { kind: 'chunked' });
      await assert.rejects(
        downloadImage({ url: server.url('/big-unknown.qcow2'), sha256: img.sha256 }, { ...opts(), cacheDir: mnt, reserveBytes: 256 * 1024, diskCheckEveryBytes: 256 * 1024 }),
        (e: DownloadError) => {
          assert.equal(e.kind, 'disk');
          assert.match(e.message, /filled up during the download|no space left/);
          return true;
        },
      );
      assert.ok(server.bytesSentFor('/big-unknown.qcow2') > MiB, 'the failure came during the transfer, not before');
      assert.deepEqual(readdirSync(mnt), [], 'no partial and no final file left behind');
    });
  });
});
