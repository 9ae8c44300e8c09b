// QEMU's memory beyond the guest's RAM, measured across guest sizes and vCPU counts. The VM pod's
// memory limit is the guest's RAM plus an overhead (src/core/defaults.ts); a QEMU that needs more
// is killed by the kernel's OOM killer, which pulls the guest's plug. Each shape boots the test
// guest with the launcher's QEMU command line (bare-qemu.ts, TCG here), runs some work in it (its
// RAM's worth of zeros through a pipe), and reads QEMU's resident memory from
// /proc/PID/smaps, minus what is resident of the guest RAM mapping itself: that is QEMU's own code
// and heap, the TCG translation cache, vCPU threads and device buffers, which must fit in the
// overhead whatever the guest does with its RAM. Target: within what the pod gives QEMU and the
// launcher under TCG (MEMORY_OVERHEAD_BYTES + TCG_EXTRA_OVERHEAD_BYTES); the launcher's own
// Node.js (about 50 MB) shares that allowance, so the figure shown is QEMU's alone.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { bareBoot, type GuestPlan } from './bare-qemu.js';
import { cacheDir, requireCommand, requireFile } from './measure.js';
import type { Benchmark, Figure } from './result.js';
import { meetsTarget, summarize, type Target } from './stats.js';
import { MEMORY_OVERHEAD_BYTES, TCG_EXTRA_OVERHEAD_BYTES } from '../../src/core/defaults.js';

/** The shapes measured: guest RAM in MiB and vCPUs. */
const SHAPES: readonly { memoryMiB: number; cpus: number }[] = [
  { memoryMiB: 256, cpus: 1 },
  { memoryMiB: 1024, cpus: 1 },
  { memoryMiB: 2048, cpus: 1 },
  { memoryMiB: 8192, cpus: 1 },
  { memoryMiB: 256, cpus: 4 },
  { memoryMiB: 1024, cpus: 4 },
];

const ALLOWANCE_MB = (MEMORY_OVERHEAD_BYTES + TCG_EXTRA_OVERHEAD_BYTES) / 1e6;
const TARGET: Target = { direction: 'at-most', value: ALLOWANCE_MB };

/**
 * Resident kB of a process from its smaps, and how much of it is the guest RAM: the largest
 * private read-write anonymous mapping at least the guest's size (QEMU maps the guest's RAM in one
 * block; the TCG code buffer, as large as 1 GiB, is executable and so never mistaken for it). Pure.
 */
export function splitResident(smaps: string, guestMiB: number): { totalKb: number; guestRamKb: number; tcgKb: number } {
  let totalKb = 0;
  let guestRamKb = 0;
  let best = 0;
  // TCG's code buffer: the largest anonymous mapping that is writable and executable (KVM has none).
  let tcgKb = 0;
  let tcgSize = 0;
  let current: { perms: string; anonymous: boolean; sizeKb: number; rssKb: number } | undefined;
  const close = () => {
    if (!current) return;
    totalKb += current.rssKb;
    const guestSized = current.sizeKb >= guestMiB * 1024 && current.perms.startsWith('rw') && !current.perms.includes('x') && current.anonymous;
    if (guestSized && (best === 0 || current.sizeKb < best)) {
      best = current.sizeKb;
      guestRamKb = current.rssKb;
    }
    if (current.anonymous && current.perms.startsWith('rwx') && current.sizeKb > tcgSize) {
      tcgSize = current.sizeKb;
      tcgKb = current.rssKb;
    }
  };
  for (const line of smaps.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ (\S{4}) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (header) {
      close();
      current = { perms: header[1]!, anonymous: header[2] === '0' && (header[3] ?? '').trim() === '', sizeKb: 0, rssKb: 0 };
      continue;
    }
    const field = /^(Size|Rss):\s+(\d+) kB/.exec(line);
    if (field && current) {
      if (field[1] === 'Size') current.sizeKb = Number(field[2]);
      else current.rssKb = Number(field[2]);
    }
  }
  close();
  return { totalKb, guestRamKb, tcgKb };
}

export const qemuMemory: Benchmark = {
  id: 'qemu-memory',
  title: "QEMU's memory beyond the guest's RAM",
  async run(ctx) {
    requireCommand('qemu-system-x86_64', 'install QEMU: apt-get install qemu-system-x86');
    requireCommand('genisoimage', 'install genisoimage: apt-get install genisoimage');
    const guest = requireFile(cacheDir('guest', 'guest.qcow2'), 'build the test guest with test/guest/build.sh');
    const key = join(ctx.scratch, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const figures: Figure[] = [];
    const notes: string[] = [];
    for (const shape of SHAPES) {
      const plan: GuestPlan = { ...shape, user: 'root' };
      const overheads: number[] = [];
      const totals: number[] = [];
      const withoutTcg: number[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        await bareBoot(ctx.root, ctx.scratch, guest, key, plan, run, 300_000, async (pid, ssh) => {
          // Some work for the TCG cache and the block and network paths: what an idle guest never does.
          await ssh(`dd if=/dev/zero bs=1M count=${shape.memoryMiB} 2>/dev/null | cat >/dev/null; sync`);
          const { totalKb, guestRamKb, tcgKb } = splitResident(await readFile(`/proc/${pid}/smaps`, 'utf8'), shape.memoryMiB);
          if (guestRamKb === 0) throw new Error(`no guest RAM mapping of ${shape.memoryMiB} MiB found in QEMU's smaps`);
          overheads.push(((totalKb - guestRamKb) * 1024) / 1e6);
          totals.push((totalKb * 1024) / 1e6);
          withoutTcg.push(((totalKb - guestRamKb - tcgKb) * 1024) / 1e6);
        });
        ctx.log(`${shape.memoryMiB} MiB, ${shape.cpus} vCPU: run ${run + 1}: QEMU beyond the guest's RAM ${overheads.at(-1)!.toFixed(1)} MB`);
      }
      const value = summarize(overheads);
      figures.push({
        label: `${shape.cpus} vCPU, ${shape.memoryMiB} MiB guest (TCG): QEMU's resident memory outside the guest RAM`,
        value,
        unit: 'MB',
        target: TARGET,
        met: meetsTarget(value, TARGET),
        ifMissed: 'the pod would be OOM-killed before the guest used its RAM: raise the overhead in src/core/defaults.ts',
      });
      notes.push(`${shape.cpus} vCPU, ${shape.memoryMiB} MiB: QEMU's whole RSS ${summarize(totals).median.toFixed(1)} MB; outside the guest RAM ${value.median.toFixed(1)} MB, of which ${summarize(withoutTcg).median.toFixed(1)} MB is not in TCG's code buffer (medians; with more than one vCPU, TCG splits its buffer and the split is not told apart).`);
    }
    notes.push(`The allowance is ${ALLOWANCE_MB.toFixed(1)} MB under TCG (${MEMORY_OVERHEAD_BYTES / 2 ** 20} MiB + ${TCG_EXTRA_OVERHEAD_BYTES / 2 ** 20} MiB), shared with the launcher's Node.js. Under KVM there is no translation cache; this machine's /dev/kvm runs no guest, so KVM is not measured.`);
    return { figures, notes };
  },
};
