// The launcher's fallback download (a base image the node has not cached) against a real local
// HTTP server: a server that closes the connection after the body, one without Content-Length, a
// wrong checksum, a 404, a cut connection and a stall. Whatever fails, nothing is left on disk.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadVerified } from '../../../agent/launcher/download.js';
import { BerthError } from '../../../shared/errors.js';
import { ImageServer, randomImage } from '../agent/support/image-server.js';

const MiB = 1024 * 1024;

describe('launcher download of an uncached base image (local HTTP server)', function () {
  this.timeout(30_000);
  const server = new ImageServer();
  const logged: string[] = [];
  const log = (_step: string, line: string) => void logged.push(line);
  let dir: string;
  let dest: string;

  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 't-launcher-dl-'));
    dest = join(dir, 'base.qcow2');
    logged.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const failsWith = async (url: string, sha256: string | undefined, pattern: RegExp, stallMs?: number) => {
    await assert.rejects(downloadVerified(url, sha256, dest, log, { stallMs }), (e: BerthError) => {
      assert.ok(e instanceof BerthError, `a BerthError, not ${(e as Error).name}: ${(e as Error).message}`);
      assert.match(e.message, pattern);
      return true;
    });
    assert.deepEqual(readdirSync(dir), [], 'neither the image nor a partial file is left');
  };

  it('a server that closes the connection after the body (busybox httpd): the verified image', async () => {
    const img = randomImage(24 * MiB);
    server.serve('/close.qcow2', img.data, { kind: 'close' });
    assert.equal(await downloadVerified(server.url('/close.qcow2'), img.sha256, dest, log), img.sha256);
    assert.ok(readFileSync(dest).equals(img.data));
    assert.deepEqual(readdirSync(dir), ['base.qcow2']);
    assert.match(logged.at(-1) ?? '', /\(verified\)$/);
  });

  it('no Content-Length and no checksum: stored, and the log says it was not verified', async () => {
    const img = randomImage(3 * MiB);
    server.serve('/chunked.qcow2', img.data, { kind: 'chunked' });
    assert.equal(await downloadVerified(server.url('/chunked.qcow2'), undefined, dest, log), img.sha256);
    assert.ok(readFileSync(dest).equals(img.data));
    assert.match(logged.at(-1) ?? '', /not verified/);
  });

  it('a wrong checksum names both sums and keeps nothing', async () => {
    const img = randomImage(MiB);
    server.serve('/impostor.qcow2', img.data);
    await failsWith(server.url('/impostor.qcow2'), 'e'.repeat(64), new RegExp(`sha256 ${img.sha256}, expected ${'e'.repeat(64)}`));
  });

  it('a 404 names the status', async () => {
    await failsWith(server.url('/missing.qcow2'), undefined, /HTTP 404/);
  });

  it('a connection cut midway fails instead of keeping a short image', async () => {
    const img = randomImage(4 * MiB);
    server.serve('/cut.qcow2', img.data, { kind: 'cut-after', bytes: MiB });
    await failsWith(server.url('/cut.qcow2'), undefined, /failed after/);
  });

  it('a server that stops sending fails after the stall time', async () => {
    const img = randomImage(2 * MiB);
    server.serve('/stall.qcow2', img.data, { kind: 'stall-after', bytes: 64 * 1024 });
    await failsWith(server.url('/stall.qcow2'), img.sha256, /no data for 0\.5 s/, 500);
  });

  it('a refused connection says so, with a hint', async () => {
    await assert.rejects(downloadVerified('http://127.0.0.1:1/x.qcow2', undefined, dest, log), (e: BerthError) => {
      assert.match(e.message, /ECONNREFUSED/);
      assert.match(e.suggestions.join(' '), /reachable from the pod/);
      return true;
    });
    assert.equal(existsSync(dest), false);
  });
});
