// ImageCache on real files. verifyExisting: at start a file that reads back wrong goes, a good one
// stays (and counts as verified), and one that cannot be read at all is kept, since that proves
// nothing about its bytes and a VM may be using it. setCatalog: a verified file deleted by hand is
// noticed when its image comes back to the catalog.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageCache } from '../../../../../agent/node/images/cache.js';
import { cachedImageFileName } from '../../../../../agent/node/images/files.js';

const sha = (data: string) => createHash('sha256').update(data).digest('hex');

describe('ImageCache.verifyExisting', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 't-cache-verify-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes a file that reads back wrong, keeps a good one and one it cannot read', async () => {
    const good = sha('good bytes');
    const corrupt = sha('the bytes it was named for');
    const unreadable = sha('a directory where a file should be');
    writeFileSync(join(dir, cachedImageFileName(good)), 'good bytes');
    writeFileSync(join(dir, cachedImageFileName(corrupt)), 'other bytes');
    mkdirSync(join(dir, cachedImageFileName(unreadable)));
    const log: string[] = [];
    const cache = new ImageCache({
      cacheDir: dir,
      maxConcurrent: 1,
      stallMs: 1000,
      reserve: { bytes: 0 },
      listInUse: async () => new Set(),
      onChange: () => {},
      onEvent: () => {},
      log: (line) => log.push(line),
    });
    await cache.verifyExisting();
    assert.ok(existsSync(join(dir, cachedImageFileName(good))));
    assert.ok(!existsSync(join(dir, cachedImageFileName(corrupt))));
    assert.ok(existsSync(join(dir, cachedImageFileName(unreadable))));
    assert.ok(log.some((l) => l.includes(corrupt) && /did not match its sha256 when the agent checked it after starting; it was deleted/.test(l)), log.join('\n'));
    assert.ok(log.some((l) => l.includes(unreadable) && /cannot verify it .*keeping it/.test(l)), log.join('\n'));
  });
});

describe('ImageCache.setCatalog', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 't-cache-catalog-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an image verified at start and deleted by hand while out of the catalog is fetched again when it comes back, not a failed catalog read', async () => {
    const bytes = 'a base a VM still used';
    const image = sha(bytes);
    writeFileSync(join(dir, cachedImageFileName(image)), bytes);
    const cache = new ImageCache({
      cacheDir: dir,
      maxConcurrent: 0, // nothing is downloaded: the test looks at what the cache decides
      stallMs: 1000,
      reserve: { bytes: 0 },
      listInUse: async () => new Set([image]),
      onChange: () => {},
      onEvent: () => {},
      log: () => {},
    });
    await cache.verifyExisting();
    const entry = { url: 'http://127.0.0.1:1/base.qcow2', sha256: image };
    await cache.setCatalog(new Map(), []);
    rmSync(join(dir, cachedImageFileName(image)));
    await cache.setCatalog(new Map([['base', entry]]), []);
    assert.equal(cache.statuses().get('base')?.state, 'pending');
    cache.stop();
  });
});
