// The launcher's data disks, blank pet disk and install media with the real qemu-img and real
// files: a data disk is made once (raw, sparse) and never again, only grown; a blank disk is an
// empty qcow2 without a backing file; install media are found by sha256 in the node cache and
// refused when their bytes are not an ISO.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { LauncherConfig } from '../../../../agent/launcher/config.js';
import { prepareDataDisks } from '../../../../agent/launcher/data-disks.js';
import { preparePetDisk } from '../../../../agent/launcher/disk.js';
import { prepareCdrom } from '../../../../agent/launcher/cdrom.js';
import { run } from '../../../../agent/common/exec.js';
import { SNIFF_BYTES } from '../../../../agent/common/image-format.js';
import { cachedImageFileName, LauncherEnv } from '../../../../shared/contract.js';
import { skipLoudly } from '../../../support/skip.js';
import { testLauncherConfig } from './test-config.js';

const ISO_SHA = 'c'.repeat(64);

describe('launcher disks: data disks, a blank pet disk and install media (real qemu-img)', function () {
  this.timeout(30_000);
  let dir: string;
  const lines: string[] = [];
  const log = (step: string, message: string) => void lines.push(`${step}: ${message}`);

  before(async function () {
    if ((await execa('qemu-img', ['--version'], { reject: false })).exitCode !== 0) skipLoudly(this, 'qemu-img is not installed');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 't-launcher-disks-'));
    for (const sub of ['disk', 'data/data', 'data/logs', 'cache']) mkdirSync(join(dir, sub), { recursive: true });
    lines.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (env: Record<string, string | undefined> = {}): LauncherConfig =>
    testLauncherConfig({
      [LauncherEnv.diskDir]: join(dir, 'disk'),
      [LauncherEnv.dataDisksDir]: join(dir, 'data'),
      [LauncherEnv.imageCacheDir]: join(dir, 'cache'),
      ...env,
    });

  it('makes each data disk once, raw and sparse; keeps its bytes on the next start; grows it, never shrinks it', async () => {
    const disks = await prepareDataDisks(config({ [LauncherEnv.dataDisks]: 'data=1Gi,logs=2Gi' }), run, log);
    assert.deepEqual(disks.map((d) => d.name), ['data', 'logs']);
    const file = join(dir, 'data/data/disk.raw');
    assert.equal(statSync(file).size, 2 ** 30);
    assert.ok(statSync(file).blocks * 512 < 2 ** 20, 'sparse: the blank disk takes no room yet');
    const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', file])).stdout);
    assert.equal(info.format, 'raw');
    writeFileSync(file, 'guest data', { flag: 'r+' });
    await prepareDataDisks(config({ [LauncherEnv.dataDisks]: 'data=1Gi,logs=2Gi' }), run, log);
    assert.equal((await execa('head', ['-c', '10', file])).stdout, 'guest data', 'an existing disk is never made again');
    assert.ok(lines.some((l) => /^disk: reusing data disk data: /.test(l)));
    await prepareDataDisks(config({ [LauncherEnv.dataDisks]: 'data=3Gi,logs=1Gi' }), run, log);
    assert.equal(statSync(file).size, 3 * 2 ** 30, 'grown');
    assert.equal(statSync(join(dir, 'data/logs/disk.raw')).size, 2 * 2 ** 30, 'never shrunk');
    assert.equal((await execa('head', ['-c', '10', file])).stdout, 'guest data');
  });

  it('refuses a data disk whose volume is not mounted', async () => {
    await assert.rejects(prepareDataDisks(config({ [LauncherEnv.dataDisks]: 'other=1Gi' }), run, log), /data disk 'other': its volume is not mounted/);
  });

  it('a blank pet disk: an empty qcow2 of the asked size, no backing file, kept on the next start', async () => {
    const blank = config({ [LauncherEnv.imageSha256]: undefined, [LauncherEnv.blankDisk]: 'true', [LauncherEnv.diskSize]: '2Gi' });
    const pet = await preparePetDisk(blank, run, log);
    const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', pet])).stdout);
    assert.equal(info.format, 'qcow2');
    assert.equal(info['virtual-size'], 2 * 2 ** 30);
    assert.equal(info['backing-filename'], undefined);
    const again = await preparePetDisk(blank, run, log);
    assert.equal(again, pet);
    assert.ok(lines.some((l) => /^disk: reusing pet disk /.test(l)), lines.join('\n'));
  });

  it('install media: found in the node cache by sha256 and accepted as an ISO; a qcow2 there is refused', async () => {
    const cached = join(dir, 'cache', cachedImageFileName(ISO_SHA));
    const iso = Buffer.alloc(SNIFF_BYTES + 512);
    iso.write('CD001', 0x8001, 'ascii');
    writeFileSync(cached, iso);
    const withCd = config({ [LauncherEnv.cdromUrl]: 'http://127.0.0.1:9/x.iso', [LauncherEnv.cdromSha256]: ISO_SHA });
    assert.equal(await prepareCdrom(withCd, log), cached);
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', cached, '1M']);
    await assert.rejects(prepareCdrom(withCd, log), /is a qcow2 disk image, not an ISO 9660 image/);
    assert.equal(await prepareCdrom(config(), log), undefined, 'no --cdrom, nothing to attach');
  });
});
