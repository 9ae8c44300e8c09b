// The install ISO (create --cdrom): found or fetched like a base image (findOrFetch: the node's
// cache by sha256, else a verified copy on the pet volume, else downloaded there), then checked to
// be an ISO by its own bytes. QEMU attaches it read-only as a CD-ROM.
import { join } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import { Files } from '../../shared/contract.js';
import { fileImageFormat, FORMAT_NAMES, type ImageFormat } from '../common/image-format.js';
import type { LauncherConfig } from './config.js';
import { findOrFetch } from './disk.js';
import type { Log } from './log.js';

/** What is wrong with a file given as install media, or undefined for an ISO. Pure. */
export function cdromFormatProblem(format: ImageFormat, path: string): { message: string; hint: string } | undefined {
  if (format === 'iso9660') return undefined;
  return {
    message: `the install media ${path} is ${FORMAT_NAMES[format]}, not an ISO 9660 image (no "CD001" at byte 0x8001)`,
    hint: format === 'qcow2'
      ? 'A qcow2 file is a disk image: boot it with --image IMAGE, not --cdrom.'
      : 'Give --cdrom an ISO file (an installer or live CD); fix the catalog entry or the URL.',
  };
}

/** The ISO's path, or undefined when the VM has none. */
export async function prepareCdrom(config: LauncherConfig, log: Log, signal?: AbortSignal): Promise<string | undefined> {
  if (!config.cdrom) return undefined;
  const found = await findOrFetch({ ...config.cdrom, what: 'install ISO' }, join(config.paths.disk, Files.localCdrom), config, log, signal);
  const problem = cdromFormatProblem(await fileImageFormat(found.path), found.path);
  if (problem) throw new BerthError('LAUNCHER', `refusing to start: ${problem.message}`, { hint: problem.hint });
  log('disk', `install media: ${found.path} (sha256 ${found.sha256}), attached read-only as a CD-ROM`);
  return found.path;
}
