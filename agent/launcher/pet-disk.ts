// Decisions about the pet disk (the qcow2 overlay on the pet volume), kept apart from the I/O: is
// an existing overlay still sitting on the base image it was made on, must its base be restored
// first, and how big should it be.
import { cachedImageFileName } from '../../shared/contract.js';

/** What the launcher records beside the overlay when it creates it (Files.petDiskOrigin). */
export interface PetDiskOrigin {
  sha256: string;
  base: string;
  createdAt: string;
  /** When the base was last restored onto the pet volume, and from where ('pet volume' or a URL). */
  restoredAt?: string;
  restoredFrom?: string;
}

/** The fields of `qemu-img info --output=json` the launcher reads. */
export interface QemuImgInfo {
  format: string;
  'virtual-size': number;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
  'backing-filename-format'?: string;
}

export interface PetDiskProblem {
  message: string;
  hint: string;
}

export interface ExistingPetDisk {
  info: QemuImgInfo;
  origin?: PetDiskOrigin;
  /** Whether the overlay's backing file exists. */
  backingExists: boolean;
  /** Undefined when the VM's image has no known checksum (a plain URL). */
  expectedSha256?: string;
  /** The URL the VM records for its image (LauncherEnv.imageUrl): where a missing base is fetched from. */
  imageUrl?: string;
  petDisk: string;
  /** Where a base lives on the pet volume (Files.localBase), and whether a file is there. */
  localBase: string;
  localBaseExists: boolean;
}

/**
 * What to do with an existing pet disk. `restore`: its base is missing on this node (the pod moved,
 * or the node's cache lost it), so the launcher puts a verified copy of that base on the pet volume
 * (the one there, if it still verifies, else downloaded from `url`) and points the overlay at it.
 */
export type PetDiskPlan =
  | { action: 'boot' }
  | { action: 'refuse'; problem: PetDiskProblem }
  | { action: 'restore'; sha256: string; url?: string; backing: string };

/** The sha256 a backing file name encodes, when it is a content-addressed cache entry. */
export function sha256FromCacheName(path: string): string | undefined {
  const name = path.split('/').pop() ?? '';
  const sha = name.replace(/\.qcow2$/, '');
  return /^[0-9a-f]{64}$/.test(sha) && cachedImageFileName(sha) === name ? sha : undefined;
}

export function backingOf(info: QemuImgInfo): string | undefined {
  return info['full-backing-filename'] ?? info['backing-filename'];
}

/**
 * Whether the existing pet disk may boot as it is, needs its base restored first, or must not
 * start (and what is wrong, and what to do). A base is only ever restored by the sha256 the disk
 * was made on, so a restored disk reads exactly the bytes it was written against.
 */
export function petDiskPlan(disk: ExistingPetDisk): PetDiskPlan {
  const recreate = `To start over from the image, delete ${disk.petDisk} (this discards the VM's disk).`;
  const refuse = (message: string, hint: string): PetDiskPlan => ({ action: 'refuse', problem: { message, hint } });
  if (disk.info.format !== 'qcow2') return refuse(`the pet disk ${disk.petDisk} is ${disk.info.format}, not qcow2`, recreate);
  const backing = backingOf(disk.info);
  if (backing === undefined) return { action: 'boot' }; // self-contained (flattened): nothing to check
  const madeOn = disk.origin?.sha256 ?? sha256FromCacheName(backing);
  if (madeOn === undefined) {
    return refuse(
      `cannot tell which base image the pet disk's backing file ${backing}${disk.backingExists ? '' : ' (missing)'} is: no record beside the pet disk`,
      disk.backingExists ? recreate : `Make the base image available at that path again. ${recreate}`,
    );
  }
  if (disk.expectedSha256 !== undefined && madeOn !== disk.expectedSha256) {
    return refuse(
      `the pet disk was made on base image sha256 ${madeOn}, but the VM now asks for sha256 ${disk.expectedSha256}`,
      `A pet disk keeps its base image for life: run the VM with its original image. ${recreate}`,
    );
  }
  // The volume's copy is verified against madeOn before the overlay is pointed at it, so it is the
  // same base under another name; a restore that stopped between the two writes leaves it so.
  if (disk.origin && disk.origin.base !== backing && backing !== disk.localBase) {
    return refuse(`the pet disk's backing file is ${backing}, but it was made on ${disk.origin.base}`, recreate);
  }
  if (disk.backingExists) return { action: 'boot' };
  if (disk.imageUrl === undefined && !disk.localBaseExists) {
    return refuse(
      `the pet disk's backing file ${backing} is missing (base image sha256 ${madeOn}) and the VM records no image URL to fetch it from`,
      `Add an image with sha256 ${madeOn} to the catalog so the node agent caches it on this node, or run the VM on a node that has it. ${recreate}`,
    );
  }
  return { action: 'restore', sha256: madeOn, backing, ...(disk.imageUrl ? { url: disk.imageUrl } : {}) };
}

/** The size to grow to, or why the disk keeps its size (disks never shrink: that would lose data). */
export function targetDiskSize(requested: number | undefined, current: number): { grow?: number; note?: string } {
  if (requested === undefined || requested === current) return {};
  if (requested < current) {
    return { note: `keeping ${current} bytes: the requested ${requested} bytes is smaller, and disks only grow` };
  }
  return { grow: requested };
}
