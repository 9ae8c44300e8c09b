import assert from 'node:assert/strict';
import { buildProbeBootSector, buildProbeQemuArgs, PROBE_EXIT_STATUS } from '../../../../../agent/node/kvm/boot-sector.js';

describe('probe boot sector', () => {
  const sector = buildProbeBootSector();
  it('is exactly 512 bytes with the 0x55 0xAA signature', () => {
    assert.equal(sector.length, 512);
    assert.deepEqual([...sector.subarray(510)], [0x55, 0xaa]);
  });
  it('encodes cli; mov al,0x31; out 0xf4,al; hlt; jmp back to hlt', () => {
    assert.deepEqual([...sector.subarray(0, 8)], [0xfa, 0xb0, 0x31, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd]);
    // jmp short is relative to the next instruction (offset 8): 8 - 3 = 5, the hlt.
    assert.equal(8 + (sector[7] - 256), 5);
    assert.equal(sector[5], 0xf4);
    assert.ok(sector.subarray(8, 510).every((b) => b === 0));
  });
  it('makes QEMU exit with (0x31 << 1) | 1', () => {
    assert.equal(PROBE_EXIT_STATUS, 99);
  });
  it('runs QEMU with the exit device on port 0xf4 and the chosen accelerator, nothing else', () => {
    const args = buildProbeQemuArgs('/tmp/p.img', 'kvm');
    assert.equal(args[args.indexOf('-accel') + 1], 'kvm');
    assert.equal(args[args.indexOf('-device') + 1], 'isa-debug-exit,iobase=0xf4,iosize=0x04');
    assert.ok(args.includes('-nodefaults'));
    assert.match(args[args.indexOf('-drive') + 1], /^file=\/tmp\/p\.img,format=raw,/);
  });
});
