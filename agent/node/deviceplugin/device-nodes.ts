// Device nodes that a VM pod's non-root uid may open. Container runtimes create a container's
// device with the owner and mode of the host node named in the device plugin's answer; /dev/net/tun
// is 0600 root on some hosts (this test machine) and /dev/kvm often 0660 root:kvm, which QEMU running
// as uid 107 could not open. Instead of changing the host's /dev, the agent makes its own nodes of
// the same devices with mode 0666 in a directory of its own and hands those out. Only containers
// that were allocated the resource get the device at all (the runtime's device cgroup).
import { lstat, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../../../shared/errors.js';
import { mustRun, type Run } from '../../common/exec.js';

const OPEN_MODE = 0o666;

/** Major and minor number of a device from stat's rdev (Linux's encoding, glibc's gnu_dev_major/minor). */
export function deviceNumbers(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/**
 * Makes (or keeps) `dir/name`, a character device node of the same device as `source`, mode 0666,
 * and returns its path.
 */
export async function openDeviceNode(source: string, dir: string, name: string, run: Run): Promise<string> {
  const device = await lstat(source, { bigint: true }).catch((error: NodeJS.ErrnoException) => {
    throw new BerthError('AGENT', `cannot read the device ${source}: ${error.code}`);
  });
  if (!device.isCharacterDevice()) throw new BerthError('AGENT', `${source} is not a character device`);
  const { major, minor } = deviceNumbers(device.rdev);
  const target = join(dir, name);
  const existing = await lstat(target, { bigint: true }).catch(() => undefined);
  if (existing?.isCharacterDevice() && existing.rdev === device.rdev && Number(existing.mode & 0o777n) === OPEN_MODE) return target;
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await rm(target, { force: true });
  // Node has no mknod(2); coreutils' mknod applies -m without the umask
  await mustRun(run, 'mknod', ['-m', OPEN_MODE.toString(8), target, 'c', String(major), String(minor)], `making the device node ${target}`, 'AGENT');
  return target;
}
