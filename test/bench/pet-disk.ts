// Pet disk: creating the qcow2 overlay a VM writes to, on a 10 GiB base (target ≤ 0.2 s), and the
// same on a 1 GiB base, to show the time does not grow with the base (target ≤ 1.25×: within noise).
// The pet disk is made the way the launcher makes it; see petDiskMaker().
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheDir, interleaved, meanOf, requireCommand, timeCommand } from './measure.js';
import { performance } from 'node:perf_hooks';
import { cachedImageFileName, Files, LauncherEnv } from '../../shared/contract.js';
import type { Benchmark } from './result.js';
import { median, meetsTarget, ratioSummary, summarize, type Target } from './stats.js';

const GiB = 2 ** 30;
const BURST = 5;
const ABSOLUTE: Target = { direction: 'at-most', value: 0.2 };
const INDEPENDENT: Target = { direction: 'at-most', value: 1.25 };

/** Makes a pet disk on `base` in the empty directory `diskDir`; resolves when it is complete. */
type MakePetDisk = (base: string, sha256: string, diskDir: string) => Promise<void>;

interface PetDiskMaker {
  how: string;
  make: MakePetDisk;
}

type PreparePetDisk = (config: unknown, run: unknown, log: (step: string, message: string) => void) => Promise<string>;

/**
 * The launcher's own function when the build has it: preparePetDisk() with a configuration parsed
 * from the launcher's environment contract (image cache and disk directories overridden); else
 * qemu-img with the arguments the launcher passes.
 */
async function petDiskMaker(root: string, scratch: string): Promise<PetDiskMaker> {
  const diskModule = join(root, 'dist', 'agent', 'launcher', 'disk.js');
  const configModule = join(root, 'dist', 'agent', 'launcher', 'config.js');
  const execModule = join(root, 'dist', 'agent', 'launcher', 'exec.js');
  if ([diskModule, configModule, execModule].every(existsSync)) {
    const disk = (await import(pathToFileURL(diskModule).href)) as { preparePetDisk?: PreparePetDisk };
    const config = (await import(pathToFileURL(configModule).href)) as { parseLauncherConfig?: (env: NodeJS.ProcessEnv) => unknown };
    const exec = (await import(pathToFileURL(execModule).href)) as { run?: unknown };
    const { preparePetDisk } = disk;
    const { parseLauncherConfig } = config;
    if (preparePetDisk && parseLauncherConfig && exec.run) {
      return {
        how: "the launcher's preparePetDisk() (dist/agent/launcher/disk.js)",
        make: async (base, sha256, diskDir) => {
          const env = {
            [LauncherEnv.vmName]: 'bench',
            [LauncherEnv.namespace]: 'bench',
            [LauncherEnv.podIp]: '10.244.0.10',
            [LauncherEnv.accel]: 'tcg',
            [LauncherEnv.imageSha256]: sha256,
            [LauncherEnv.imageCacheDir]: dirname(base),
            [LauncherEnv.diskDir]: diskDir,
            [LauncherEnv.cloudInitDir]: join(scratch, 'cloud-init'),
            [LauncherEnv.runDir]: join(scratch, 'run'),
          };
          await preparePetDisk(parseLauncherConfig(env), exec.run, () => {});
        },
      };
    }
  }
  const qemuImg = requireCommand('qemu-img', 'apt-get install qemu-utils');
  return {
    how: '`qemu-img create -q -f qcow2 -F qcow2 -b BASE pet.qcow2` (the launcher has no overlay function to call)',
    make: async (base, _sha, diskDir) => {
      await timeCommand([qemuImg, 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, join(diskDir, Files.petDisk)]);
    },
  };
}

/** A sparse qcow2 base of `bytes` virtual size, stored under its content address as in the node cache. */
async function makeBase(dir: string, bytes: number, content?: string): Promise<{ path: string; sha256: string }> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, 'base.tmp');
  if (content) {
    await timeCommand(['qemu-img', 'convert', '-q', '-f', 'qcow2', '-O', 'qcow2', content, tmp]);
    await timeCommand(['qemu-img', 'resize', '-q', '-f', 'qcow2', tmp, String(bytes)]);
  } else {
    await timeCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', tmp, String(bytes)]);
  }
  const sha256 = (await timeCommand(['sha256sum', tmp])).stdout.slice(0, 64);
  const path = join(dir, cachedImageFileName(sha256));
  await rename(tmp, path);
  return { path, sha256 };
}

export const petDisk: Benchmark = {
  id: 'pet-disk',
  title: 'pet disk',
  async run(ctx) {
    requireCommand('qemu-img', 'apt-get install qemu-utils');
    const maker = await petDiskMaker(ctx.root, ctx.scratch);
    const small = await makeBase(join(ctx.scratch, 'cache-1g'), GiB);
    const large = await makeBase(join(ctx.scratch, 'cache-10g'), 10 * GiB);
    let seq = 0;
    const once = (base: { path: string; sha256: string }) => async (): Promise<number> => {
      const diskDir = join(ctx.scratch, `disk-${seq++}`);
      await mkdir(diskDir);
      const started = performance.now();
      await maker.make(base.path, base.sha256, diskDir);
      const seconds = (performance.now() - started) / 1000;
      if (!existsSync(join(diskDir, Files.petDisk))) throw new Error(`no ${Files.petDisk} was created in ${diskDir}`);
      await rm(diskDir, { recursive: true, force: true });
      return seconds;
    };
    const bareQemuImg = async (): Promise<number> => {
      const overlay = join(ctx.scratch, `bare-${seq++}.qcow2`);
      const { seconds } = await timeCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', large.path, overlay]);
      await rm(overlay, { force: true });
      return seconds;
    };
    await once(large)();
    await once(small)();
    const [onLarge, onSmall, bare] = (await interleaved(
      ctx.runs,
      [() => meanOf(BURST, once(large)), () => meanOf(BURST, once(small)), () => meanOf(BURST, bareQemuImg)],
      ctx.log,
    )) as [number[], number[], number[]];
    const notes = [
      `Pet disks made with ${maker.how}, each in a fresh directory, on sparse qcow2 bases of 1 GiB and 10 GiB virtual size stored under their sha256 as in the node cache. ` +
        `Each sample is the mean of ${BURST} pet disks. \`qemu-img create\` alone on the 10 GiB base: ${ms(median(bare))}.`,
    ];
    const guest = cacheDir('guest', 'guest.qcow2');
    if (existsSync(guest)) {
      // A base with real content: shows whether anything in the path reads the base's data.
      const filled = await makeBase(join(ctx.scratch, 'cache-guest'), 10 * GiB, guest);
      const bytes = (await stat(filled.path)).size;
      const samples: number[] = [];
      for (let i = 0; i < ctx.runs; i++) samples.push(await once(filled)());
      notes.push(
        `On the test guest image grown to 10 GiB (${(bytes / 1e6).toFixed(0)} MB allocated) one pet disk takes ${ms(median(samples))} (median of ${ctx.runs}); ` +
          'any difference from the sparse base is time the launcher spends reading the base before it makes the overlay (its checks of the base), which grows with the image\'s allocated data, not its virtual size.',
      );
    }
    const ratio = ratioSummary(onLarge, onSmall);
    const absolute = summarize(onLarge);
    return {
      figures: [
        {
          label: 'pet disk on a 10 GiB base',
          ours: { what: maker.how, summary: absolute, unit: 's' },
          value: absolute,
          unit: 's',
          target: ABSOLUTE,
          met: meetsTarget(absolute, ABSOLUTE),
          ifMissed: `\`qemu-img create\` itself takes ${ms(median(bare))}; the rest is the launcher's own work around it (qemu-img info and check of the base, the origin record, the rename). ` +
            'Closing it: trust the base the agent verified when it cached it (content-addressed, read-only in the pod) and run one qemu-img process, not several, per pet disk.',
        },
        {
          label: '10 GiB base vs 1 GiB base',
          ours: { what: 'pet disk on the 10 GiB base', summary: absolute, unit: 's' },
          baseline: { what: 'pet disk on the 1 GiB base', summary: summarize(onSmall), unit: 's' },
          value: ratio,
          unit: 'x',
          target: INDEPENDENT,
          met: meetsTarget(ratio, INDEPENDENT),
          ifMissed: 'the time grows with the base, so something reads or copies the base; an overlay must only reference it.',
        },
      ],
      notes,
    };
  },
};

function ms(seconds: number): string {
  return `${(seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0)} ms`;
}
