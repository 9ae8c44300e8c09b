// QEMU under the launcher: started with the serial console on the container's stdio, watched
// through QMP, and stopped the gentle way: ACPI powerdown, a grace period, then quit.
import { rm } from 'node:fs/promises';
import { BerthError } from '../../shared/errors.js';
import { startChild, type Child } from './child.js';
import type { Log } from './log.js';
import { QEMU_BINARY } from './qemu-args.js';
import { Qmp, type QmpReply } from './qmp.js';
import { DiskFullWatch } from './disk-full.js';
import { freeBytes } from '../common/disk.js';

export interface RunningVm {
  /** QEMU's exit status (128+n when killed by signal n). */
  exit: Promise<number>;
  shutdown(graceSeconds: number): Promise<void>;
  /** One QMP command (resize's hotplug). */
  execute(command: string, args?: Record<string, unknown>): Promise<QmpReply>;
  /** Why QEMU stopped the guest, from QMP's last SHUTDOWN event, and whether the launcher asked. */
  shutdownCause(): ShutdownCause;
}

export interface ShutdownCause {
  /** The launcher asked for the powerdown (SIGTERM: stop, restart, a pod deletion or eviction). */
  asked: boolean;
  /** QMP SHUTDOWN's data: guest true and reason 'guest-shutdown' when the guest powered off (ACPI, poweroff). */
  event?: { guest?: boolean; reason?: string };
}

const QMP_CONNECT_MS = 15_000;
const QUIT_MS = 10_000;

export interface DiskWatch {
  /** The directory of the pet disk's volume, whose free space decides when a paused guest resumes. */
  diskDir: string;
  /** What to tell the user when the disk is full: how to grow it. */
  hint: string;
  /** Drives on volumes of their own (data disks), by QEMU drive id: their directory and hint. */
  others?: Record<string, { dir: string; hint: string }>;
}

export async function startVm(argv: string[], qmpSocket: string, log: Log, disk: DiskWatch): Promise<RunningVm> {
  await rm(qmpSocket, { force: true });
  log('qemu', `${QEMU_BINARY} ${argv.join(' ')}`);
  const child: Child = startChild(QEMU_BINARY, argv, { stdin: 'inherit', stdout: 'inherit' });
  const exit = child.exit;
  let exited = false;
  void exit.then(() => (exited = true));
  const exitedEarly = exit.then((code) => {
    throw new BerthError('LAUNCHER', `QEMU exited while starting (status ${code}); its message is above`);
  });
  let connected: Qmp | undefined;
  const diskFull = new DiskFullWatch(
    {
      freeBytes: (drive) => freeBytes(disk.others?.[drive]?.dir ?? disk.diskDir),
      resume: async () => (await connected?.execute('cont'))?.error?.desc,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
      log,
    },
    (drive) => disk.others?.[drive]?.hint ?? disk.hint,
    () => exited,
  );
  const cause: ShutdownCause = { asked: false };
  const onEvent = (event: string, data: unknown) => {
    log('qemu', `event ${event}${event === 'SHUTDOWN' ? ` ${JSON.stringify(data)}` : ''}`);
    if (event === 'SHUTDOWN') cause.event = data as ShutdownCause['event'];
    diskFull.onEvent(event, data);
  };
  const qmp = await Promise.race([Qmp.connect(qmpSocket, QMP_CONNECT_MS, onEvent), exitedEarly]);
  connected = qmp;
  exitedEarly.catch(() => undefined);
  log('qemu', `running (pid ${child.pid}), QMP at ${qmpSocket}`);
  return {
    exit,
    shutdown: (graceSeconds) => {
      cause.asked = true;
      return shutdown(child, exit, qmp, graceSeconds, log);
    },
    shutdownCause: () => ({ ...cause }),
    execute: (command, args) => qmp.execute(command, args),
  };
}

async function shutdown(child: Child, exit: Promise<number>, qmp: Qmp, graceSeconds: number, log: Log): Promise<void> {
  log('shutdown', `asking the guest to power down (ACPI), waiting up to ${graceSeconds} s`);
  const reply = await qmp.execute('system_powerdown');
  if (reply.error) log('shutdown', `powerdown request failed: ${reply.error.desc}`);
  if (await exitsWithin(exit, graceSeconds * 1000)) return;
  log('shutdown', `the guest did not power off within ${graceSeconds} s: quitting QEMU`);
  await qmp.execute('quit');
  if (await exitsWithin(exit, QUIT_MS)) return;
  log('shutdown', 'QEMU did not quit: killing it');
  child.kill('SIGKILL');
}

async function exitsWithin(exit: Promise<number>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([exit.then(() => true), timeout]);
  clearTimeout(timer);
  return done;
}
