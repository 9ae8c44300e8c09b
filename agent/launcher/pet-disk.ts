// Decisions about the pet disk (the qcow2 overlay on the pet volume), kept apart from the I/O: is
// an existing overlay still sitting on the base image it was made on, and how big should it be.
import { cachedImageFileName } from '../../shared/contract.js';

/** What the launcher records beside the overlay when it creates it (Files.petDiskOrigin). */
export interface PetDiskOrigin {
  sha256: string;
  base: string;
  createdAt: string;
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
  petDisk: string;
}

/** The sha256 a backing file name encodes, when it is a content-addressed cache entry. */
export function sha256FromCacheName(path: string): string | undefined {
  const name = path.split('/').pop() ?? '';
  const sha = name.replace(/\.qcow2$/, '');
  return /^[0-9a-f]{64}$/.test(sha) && cachedImageFileName(sha) === name ? sha : undefined;
}

export function backingOf(info: QemuImgInfo): string | undefined {
  return info['full-backing-filename'] ?? info['backing-filename'];
}

/** Undefined when the existing pet disk may boot; otherwise what is wrong and what to do. */
export function petDiskProblem(disk: ExistingPetDisk): PetDiskProblem | undefined {
  const recreate = `To start over from the image, delete ${disk.petDisk} (this discards the VM's disk).`;
  if (disk.info.format !== 'qcow2') {
    return { message: `the pet disk ${disk.petDisk} is ${disk.info.format}, not qcow2`, hint: recreate };
  }
  const backing = backingOf(disk.info);
  if (backing === undefined) return undefined; // self-contained (flattened): nothing to check
  const madeOn = disk.origin?.sha256 ?? sha256FromCacheName(backing);
  if (!disk.backingExists) {
    return {
      message: `the pet disk's backing file ${backing} is missing${madeOn ? ` (base image sha256 ${madeOn})` : ''}`,
      hint: `Make the base image available at that path again (e.g. let the node agent cache the image on this node), or run the VM on a node that has it. ${recreate}`,
    };
  }
  if (madeOn === undefined) {
    return {
      message: `cannot tell which base image the pet disk's backing file ${backing} is: no record beside the pet disk`,
      hint: recreate,
    };
  }
  if (disk.expectedSha256 !== undefined && madeOn !== disk.expectedSha256) {
    return {
      message: `the pet disk was made on base image sha256 ${madeOn}, but the VM now asks for sha256 ${disk.expectedSha256}`,
      hint: `A pet disk keeps its base image for life: run the VM with its original image. ${recreate}`,
    };
  }
  if (disk.origin && disk.origin.base !== backing) {
    return {
      message: `the pet disk's backing file is ${backing}, but it was made on ${disk.origin.base}`,
      hint: recreate,
    };
  }
  return undefined;
}

/** The size to grow to, or why the disk keeps its size (disks never shrink: that would lose data). */
export function targetDiskSize(requested: number | undefined, current: number): { grow?: number; note?: string } {
  if (requested === undefined || requested === current) return {};
  if (requested < current) {
    return { note: `keeping ${current} bytes: the requested ${requested} bytes is smaller, and disks only grow` };
  }
  return { grow: requested };
}
