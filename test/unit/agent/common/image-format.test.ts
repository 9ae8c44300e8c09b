import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileImageFormat, sniffImageFormat, SNIFF_BYTES } from '../../../../agent/common/image-format.js';
import { cdromFormatProblem } from '../../../../agent/launcher/cdrom.js';

function iso(): Buffer {
  const b = Buffer.alloc(SNIFF_BYTES + 100);
  b[0x8000] = 1; // primary volume descriptor
  b.write('CD001', 0x8001, 'ascii');
  return b;
}

describe('image format sniffing: the bytes say what a file is', () => {
  it('qcow2 by its magic at 0, ISO 9660 by CD001 at 0x8001, anything else unknown', () => {
    assert.equal(sniffImageFormat(Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3])), 'qcow2');
    assert.equal(sniffImageFormat(iso()), 'iso9660');
    assert.equal(sniffImageFormat(Buffer.alloc(SNIFF_BYTES)), 'unknown', 'a raw disk of zeros');
    assert.equal(sniffImageFormat(Buffer.from('QFI')), 'unknown', 'short files');
    const shifted = Buffer.alloc(SNIFF_BYTES + 1);
    shifted.write('CD001', 0x8002, 'ascii');
    assert.equal(sniffImageFormat(shifted), 'unknown', 'CD001 one byte off is not an ISO');
  });

  it('reads only the head of a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-format-'));
    try {
      await writeFile(join(dir, 'a.iso'), iso());
      await writeFile(join(dir, 'tiny'), 'x');
      assert.equal(await fileImageFormat(join(dir, 'a.iso')), 'iso9660');
      assert.equal(await fileImageFormat(join(dir, 'tiny')), 'unknown');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('install media must be an ISO: a qcow2 is sent to --image, anything else to fix its source', () => {
    assert.equal(cdromFormatProblem('iso9660', '/c/x'), undefined);
    const qcow2 = cdromFormatProblem('qcow2', '/c/x')!;
    assert.match(qcow2.message, /\/c\/x is a qcow2 disk image, not an ISO 9660 image \(no "CD001" at byte 0x8001\)/);
    assert.match(qcow2.hint, /--image IMAGE, not --cdrom/);
    assert.match(cdromFormatProblem('unknown', '/c/x')!.hint, /fix the catalog entry or the URL/);
  });
});
