// Data disks (create --disk NAME=SIZE): each a file on a volume of its own, made on the first
// start and never again; the guest sees it as a virtio disk whose serial is NAME.
//
// Why raw, sparse: a data disk has no base image and needs no snapshot, so qcow2's one gift here
// would be a file that grows as the guest writes, and a sparse raw file does that too (the guest's
// TRIM punches holes back through discard=unmap). Raw has no metadata to size the claim for and
// none to corrupt when a node dies mid-write; it is what KubeVirt puts on a file-system PVC
// (disk.img), readable with any tool once the volume is mounted elsewhere; and growing it later
// (after its claim grows) is a plain truncate, no table to rewrite. Not preallocated: a claim sized
// to hold the disk full (dataClaimBytes) leaves room for every block, and on storage that promises
// more than it has, the drive's werror=stop pauses the guest on a full volume and resumes it once
// there is room (disk-full.ts), where a preallocated file would fail at creation on thin storage
// or cost the whole size on every start of a test.
import { access, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import { dataDiskPvcName, Files } from '../../shared/contract.js';
import { mustRun, type Run } from '../common/exec.js';
import type { LauncherConfig } from './config.js';
import type { Log } from './log.js';
import { targetDiskSize } from './pet-disk.js';

export interface DataDisk {
  name: string;
  /** The raw file on the disk's volume. */
  file: string;
  /** The volume's directory: whose free space decides when a guest paused on it resumes. */
  dir: string;
}

/** Where each data disk lives. Pure. */
export function dataDiskFiles(config: Pick<LauncherConfig, 'dataDisks' | 'paths'>): DataDisk[] {
  return config.dataDisks.map(({ name }) => {
    const dir = join(config.paths.dataDisks, name);
    return { name, dir, file: join(dir, Files.dataDisk) };
  });
}

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * Makes each data disk that does not exist yet (under a temporary name, renamed when complete, so
 * a start cut short never leaves a file the next start would take for the disk) and keeps every
 * one that does: an existing file is the guest's data, never made again. A larger size than the
 * file has grows it (disks never shrink).
 */
export async function prepareDataDisks(config: LauncherConfig, run: Run, log: Log): Promise<DataDisk[]> {
  const disks = dataDiskFiles(config);
  for (const [i, disk] of disks.entries()) {
    const size = config.dataDisks[i].sizeBytes;
    if (!(await exists(disk.dir))) {
      throw new BerthError('LAUNCHER', `data disk '${disk.name}': its volume is not mounted at ${disk.dir}`, {
        hint: `The VM's StatefulSet mounts claim ${dataDiskPvcName(config.vmName, disk.name)} there; recreate the VM with a current kubectl berth.`,
      });
    }
    const existing = await stat(disk.file).catch(() => undefined);
    if (existing) {
      if (!existing.isFile()) throw new BerthError('LAUNCHER', `data disk '${disk.name}': ${disk.file} is not a file`, { hint: `Move it away; the launcher makes the disk again.` });
      const { grow, note } = targetDiskSize(size, existing.size);
      if (note) log('disk', `data disk ${disk.name}: ${note}`);
      if (grow !== undefined) {
        await mustRun(run, 'qemu-img', ['resize', '-q', '-f', 'raw', disk.file, String(grow)], `growing data disk ${disk.name}`);
        log('disk', `grew data disk ${disk.name} from ${existing.size} to ${grow} bytes`);
      } else log('disk', `reusing data disk ${disk.name}: ${disk.file} (${existing.size} bytes)`);
      continue;
    }
    const partial = `${disk.file}.part`;
    await rm(partial, { force: true });
    await mustRun(run, 'qemu-img', ['create', '-q', '-f', 'raw', partial, String(size)], `creating data disk ${disk.name}`);
    await rename(partial, disk.file);
    log('disk', `created data disk ${disk.name}: ${disk.file} (${size} bytes, raw, sparse)`);
  }
  return disks;
}
