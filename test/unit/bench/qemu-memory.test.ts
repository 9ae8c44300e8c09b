import assert from 'node:assert/strict';
import { splitResident } from '../../bench/qemu-memory.js';

// Abridged from a real QEMU's /proc/PID/smaps: its binary, the TCG code buffer (executable, 1 GiB),
// the guest's 256 MiB of RAM, a smaller anonymous heap.
const SMAPS = `55d0c0000000-55d0c0a00000 r-xp 00000000 fe:01 123 /usr/bin/qemu-system-x86_64
Size:              10240 kB
Rss:                8000 kB
7f0000000000-7f0040000000 rwxp 00000000 00:00 0
Size:            1048576 kB
Rss:               60000 kB
7f1000000000-7f1010000000 rw-p 00000000 00:00 0
Size:             262144 kB
Rss:              120000 kB
7f2000000000-7f2002000000 rw-p 00000000 00:00 0
Size:              32768 kB
Rss:               20000 kB
7f3000000000-7f3000001000 rw-p 00000000 00:00 0                          [heap]
Size:                  4 kB
Rss:                   4 kB
`;

describe('splitResident (qemu-memory bench)', () => {
  it("finds the guest RAM mapping and leaves QEMU's own memory, the TCG buffer included, outside it", () => {
    assert.deepEqual(splitResident(SMAPS, 256), { totalKb: 8000 + 60000 + 120000 + 20000 + 4, guestRamKb: 120000, tcgKb: 60000 });
  });

  it('finds no guest RAM when no mapping is that large, rather than taking the executable TCG buffer', () => {
    assert.equal(splitResident(SMAPS, 2048).guestRamKb, 0);
    assert.equal(splitResident(SMAPS, 1024).guestRamKb, 0);
  });
});
