// The launcher's download of a base image the node has not cached, against a real local HTTP
// server. It is the agent's downloader (agent/common/download.ts, tested in depth under
// test/integration/agent/common/download.test.ts); what is tested here is the launcher's use of
// it: the file on the pet volume, the log lines, the errors as the launcher reports them
// (BerthError with a hint), and that an interrupted download resumes when the pod starts again.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadBase } from '../../../../agent/launcher/disk.js';
import { BerthError } from '../../../../shared/errors.js';
import { ImageServer, randomImage } from '../../../support/image-server.js';

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

  const failsWith = async (url: string, sha256: string | undefined, pattern: RegExp, options: { stallMs?: number; hint?: RegExp } = {}) => {
    await assert.rejects(downloadBase(url, sha256, dest, log, { stallMs: options.stallMs }), (e: BerthError) => {
      assert.ok(e instanceof BerthError, `a BerthError, not ${(e as Error).name}: ${(e as Error).message}`);
      assert.equal(e.code, 'LAUNCHER');
      assert.match(e.message, /^(cannot download the base image from|the image downloaded from) http:/);
      assert.match(e.message, pattern);
      if (options.hint) assert.match(e.suggestions.join(' '), options.hint);
      return true;
    });
    assert.equal(existsSync(dest), false, 'nothing appears under the final name');
  };

  it('a server that closes the connection after the body (busybox httpd): the verified image', async () => {
    const img = randomImage(24 * MiB);
    server.serve('/close.qcow2', img.data, { kind: 'close' });
    assert.equal(await downloadBase(server.url('/close.qcow2'), img.sha256, dest, log), img.sha256);
    assert.ok(readFileSync(dest).equals(img.data));
    assert.deepEqual(readdirSync(dir), ['base.qcow2']);
    assert.match(logged.at(-1) ?? '', /\(verified\)$/);
  });

  it('no Content-Length and no checksum: stored, and the log says it was not verified', async () => {
    const img = randomImage(3 * MiB);
    server.serve('/chunked.qcow2', img.data, { kind: 'chunked' });
    assert.equal(await downloadBase(server.url('/chunked.qcow2'), undefined, dest, log), img.sha256);
    assert.ok(readFileSync(dest).equals(img.data));
    assert.match(logged.at(-1) ?? '', /not verified/);
  });

  it('a wrong checksum names both sums and keeps nothing', async () => {
    const img = randomImage(MiB);
    server.serve('/impostor.qcow2', img.data);
    await failsWith(server.url('/impostor.qcow2'), 'e'.repeat(64), new RegExp(`^the image downloaded from .* is corrupt or not the expected one: checksum mismatch: expected sha256 ${'e'.repeat(64)}, got ${img.sha256}`), { hint: /catalog entry/ });
    assert.deepEqual(readdirSync(dir), [], 'neither the image nor a partial file is left');
  });

  it('a 404 names the status', async () => {
    await failsWith(server.url('/missing.qcow2'), undefined, /HTTP 404/, { hint: /image URL/ });
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a connection cut midway fails, and the next start resumes with Range from the bytes it kept', async () => {
    const img = randomImage(4 * MiB);
    const file = server.serve('/cut.qcow2', img.data, { kind: 'cut-after', bytes: MiB });
    await failsWith(server.url('/cut.qcow2'), img.sha256, /the connection ended|ECONNRESET|aborted|socket hang up/, { hint: /resuming where this attempt stopped/ });
    // the server hands exactly 1 MiB to its kernel before it closes: all of it reaches us, in order
    const kept = statSync(`${dest}.partial`).size;
    assert.equal(kept, MiB, 'every byte received is kept for the resume');
    file.mode = { kind: 'ok' };
    assert.equal(await downloadBase(server.url('/cut.qcow2'), img.sha256, dest, log), img.sha256);
    assert.equal(server.requestsFor('/cut.qcow2')[1].range, `bytes=${kept}-`);
    assert.match(logged.at(-1) ?? '', /resumed at .*\(verified\)$/);
    assert.ok(readFileSync(dest).equals(img.data));
    assert.deepEqual(readdirSync(dir), ['base.qcow2']);
  });

  it('without a checksum a kept partial is not resumed: nothing could tell a mixed file from a good one', async () => {
    const img = randomImage(2 * MiB);
    const file = server.serve('/unverified.qcow2', img.data, { kind: 'cut-after', bytes: 512 * 1024 });
    await failsWith(server.url('/unverified.qcow2'), undefined, /./);
    file.mode = { kind: 'ok' };
    assert.equal(await downloadBase(server.url('/unverified.qcow2'), undefined, dest, log), img.sha256);
    assert.equal(server.requestsFor('/unverified.qcow2')[1].range, undefined);
    assert.ok(readFileSync(dest).equals(img.data));
  });

  it('a server that stops sending fails after the stall time', async () => {
    const img = randomImage(2 * MiB);
    server.serve('/stall.qcow2', img.data, { kind: 'stall-after', bytes: 64 * 1024 });
    await failsWith(server.url('/stall.qcow2'), img.sha256, /no data for 0\.5 s/, { stallMs: 500, hint: /reachable from the pod/ });
  });

  it('a refused connection says so, with a hint', async () => {
    await failsWith('http://127.0.0.1:1/x.qcow2', undefined, /ECONNREFUSED/, { hint: /reachable from the pod/ });
    assert.deepEqual(readdirSync(dir), []);
  });
});
