// A full disk pauses the guest instead of failing its writes (the drive's werror=stop,rerror=stop:
// a guest that sees EIO remounts read-only or corrupts its file system; a paused one loses
// nothing). The launcher says so in its log, in the error/hint lines the plugin reads, and resumes
// the guest (QMP cont) once the volume has room again: grown, or cleaned up by hand.
import type { Log } from './log.js';
import { LauncherLog } from '../../shared/contract.js';

/** QMP's BLOCK_IO_ERROR, the fields we read. */
export interface BlockIoError {
  device?: string;
  'node-name'?: string;
  operation?: string;
  action?: string;
  nospace?: boolean;
  reason?: string;
}

/** Free bytes that count as "space returned": enough that the guest does not pause again at once. */
export const RESUME_FREE_BYTES = 32 * 2 ** 20;
/** How often a paused VM's volume is looked at. */
export const DISK_FULL_POLL_MS = 2000;

function driveOf(data: BlockIoError | undefined): string {
  return data?.device || data?.['node-name'] || 'disk';
}

/** Why QEMU stopped the guest on this event, or undefined when it did not (a reported error). Pure. */
export function pauseReason(event: string, data: BlockIoError | undefined): string | undefined {
  if (event !== 'BLOCK_IO_ERROR' || data?.action !== 'stop') return undefined;
  const drive = driveOf(data);
  return data.nospace ? `${LauncherLog.diskFullMark} (${data.operation ?? 'write'} on ${drive}: ${data.reason ?? 'No space left on device'})` : `an I/O error on ${drive} (${data.operation ?? 'I/O'}: ${data.reason ?? 'unknown'})`;
}

export interface DiskFullIo {
  /** Free bytes on the volume of the drive QEMU named (the pet disk's, or a data disk's). */
  freeBytes(drive: string): Promise<number>;
  /** QMP cont; resolves to an error text when QEMU refused. */
  resume(): Promise<string | undefined>;
  sleep(ms: number): Promise<void>;
  log: Log;
}

/**
 * Watches a paused guest's volume and resumes the guest when it has room again. Returns once the
 * guest runs again (or `stopped()` says the VM is going away). A pause for another I/O error is
 * only reported: no amount of waiting fixes a broken volume.
 */
export class DiskFullWatch {
  private watching = false;

  /** `hint`: what to tell the user, per drive (each volume is grown through its own claim). */
  constructor(private readonly io: DiskFullIo, private readonly hint: string | ((drive: string) => string), private readonly stopped: () => boolean) {}

  /** The handler for QMP events. */
  onEvent(event: string, data: unknown): void {
    const reason = pauseReason(event, data as BlockIoError | undefined);
    // QEMU reports every failed request: one pause, one report.
    if (reason === undefined || this.watching) return;
    const { log } = this.io;
    const drive = driveOf(data as BlockIoError);
    log(LauncherLog.diskStep, `${LauncherLog.pausedMark}${reason}`);
    log(LauncherLog.diskStep, `hint: ${typeof this.hint === 'string' ? this.hint : this.hint(drive)}`);
    if ((data as BlockIoError).nospace && !this.watching) void this.untilRoom(drive);
  }

  private async untilRoom(drive: string): Promise<void> {
    this.watching = true;
    try {
      while (!this.stopped()) {
        await this.io.sleep(DISK_FULL_POLL_MS);
        const free = await this.io.freeBytes(drive).catch(() => 0);
        if (free < RESUME_FREE_BYTES) continue;
        const refused = await this.io.resume();
        if (refused) {
          this.io.log(LauncherLog.diskStep, `resuming the guest failed: ${refused}`);
          continue;
        }
        this.io.log(LauncherLog.diskStep, `the volume has ${Math.floor(free / 2 ** 20)} MiB free again: the guest runs again`);
        return;
      }
    } finally {
      this.watching = false;
    }
  }
}
