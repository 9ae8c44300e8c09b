// In-place resize of the running guest. The plugin resizes the VM pod (the pod's `resize`
// subresource); the kubelet raises the container's limits and rewrites the pod's downward-API
// size files (Paths.podSize). The launcher has no API credentials, so those files are its news of
// a resize: it reads the guest size the pod was sized for (the plugin's own formula, inverted),
// waits until the container's memory limit really allows it, and hotplugs vCPUs (device_add of the
// free slots query-hotpluggable-cpus lists) and memory (a pc-dimm on a memory backend) through
// QMP. Every outcome is one log line the plugin waits for (LauncherLog.resizeStep).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Files, LauncherLog, resizeLogSize, type Accel } from '../../shared/contract.js';
import { MiB } from '../../shared/quantity.js';
import { guestSizeFromPod, hotplugProblems, podMemoryBytes, type GuestSize, type HotplugHeadroom } from '../../shared/vm-size.js';
import type { Log } from './log.js';
import type { QmpReply } from './qmp.js';

/** How often the size files are read: a resize is rare, a read is a few bytes. */
export const POD_SIZE_POLL_MS = 1000;

/** One entry of QMP query-hotpluggable-cpus. */
export interface HotpluggableCpu {
  type: string;
  'vcpus-count': number;
  props: Record<string, number>;
  /** Set when a CPU occupies the slot. */
  'qom-path'?: string;
}

export interface QmpCommand {
  execute: string;
  arguments: Record<string, unknown>;
}

/** The guest size written in the size files, or why they say none. Pure. */
export function parsePodSize(cpuMillisText: string, memoryMiBText: string, accel: Accel): { size?: GuestSize; problem?: string } {
  const cpuMillis = Number(cpuMillisText.trim());
  const memoryMiB = Number(memoryMiBText.trim());
  if (!Number.isSafeInteger(cpuMillis) || !Number.isSafeInteger(memoryMiB)) return { problem: `the pod size files hold '${cpuMillisText.trim()}' and '${memoryMiBText.trim()}', not numbers` };
  const size = guestSizeFromPod(cpuMillis, memoryMiB * MiB, accel);
  if (!size) return { problem: `a CPU request of ${cpuMillis}m and a memory limit of ${memoryMiB} MiB are not a size kubectl berth gives a VM pod (was the pod edited by hand?)` };
  return { size };
}

/** The device_add commands that plug `count` more vCPUs into free slots, lowest slots first. Pure. */
export function cpuPlugCommands(slots: HotpluggableCpu[], count: number): QmpCommand[] | undefined {
  const free = slots.filter((slot) => slot['qom-path'] === undefined && slot['vcpus-count'] === 1);
  const key = (slot: HotpluggableCpu) => Object.keys(slot.props).sort().map((k) => `${k}=${slot.props[k]}`).join(',');
  const ordered = [...free].sort((a, b) => {
    for (const k of ['socket-id', 'die-id', 'cluster-id', 'core-id', 'thread-id']) {
      const d = (a.props[k] ?? 0) - (b.props[k] ?? 0);
      if (d !== 0) return d;
    }
    return key(a) < key(b) ? -1 : 1;
  });
  if (ordered.length < count) return undefined;
  return ordered.slice(0, count).map((slot) => ({
    execute: 'device_add',
    arguments: {
      driver: slot.type,
      id: `vcpu-${['socket-id', 'core-id', 'thread-id'].map((k) => slot.props[k] ?? 0).join('-')}`,
      ...slot.props,
    },
  }));
}

/** The two commands that add `bytes` of RAM as DIMM number `index`: its backend, then the DIMM. Pure. */
export function memoryPlugCommands(index: number, bytes: number): QmpCommand[] {
  return [
    { execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: `mem-hotplug${index}`, size: bytes } },
    { execute: 'device_add', arguments: { driver: 'pc-dimm', id: `dimm-hotplug${index}`, memdev: `mem-hotplug${index}` } },
  ];
}

/** The container's memory limit from its cgroup (v2 memory.max, v1 memory.limit_in_bytes); undefined for none. Pure. */
export function parseCgroupMemoryLimit(text: string): number | undefined {
  const value = text.trim();
  if (value === 'max') return undefined;
  const n = Number(value);
  // cgroup v1 writes "no limit" as a huge page-aligned number
  return Number.isSafeInteger(n) && n < 2 ** 60 ? n : undefined;
}

export const CGROUP_MEMORY_LIMIT_FILES = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];

export interface ResizeIo {
  /** The two size files' text, or undefined when the pod has none (made by an older plugin). */
  readPodSize(): Promise<{ cpuMillis: string; memoryMiB: string } | undefined>;
  /** The container's memory limit in bytes as the kernel enforces it; undefined when unknown or none. */
  memoryLimit(): Promise<number | undefined>;
  execute(command: string, args?: Record<string, unknown>): Promise<QmpReply>;
  log: Log;
}

/** Reads the files from the pod's downward-API volume and the cgroup from /sys/fs/cgroup. */
export function fileResizeIo(podSizeDir: string, execute: ResizeIo['execute'], log: Log): ResizeIo {
  return {
    async readPodSize() {
      try {
        const [cpuMillis, memoryMiB] = await Promise.all([
          readFile(join(podSizeDir, Files.cpuRequestMillis), 'utf8'),
          readFile(join(podSizeDir, Files.memoryLimitMiB), 'utf8'),
        ]);
        return { cpuMillis, memoryMiB };
      } catch {
        return undefined;
      }
    },
    async memoryLimit() {
      for (const file of CGROUP_MEMORY_LIMIT_FILES) {
        const text = await readFile(file, 'utf8').catch(() => undefined);
        if (text !== undefined) return parseCgroupMemoryLimit(text);
      }
      return undefined;
    },
    execute,
    log,
  };
}

/**
 * The running guest's size and what the launcher does when the pod's size changes. `check()` is
 * one look at the size files; the launcher calls it every POD_SIZE_POLL_MS while QEMU runs.
 */
export class GuestResizer {
  private current: GuestSize & { memorySlotsUsed: number };
  /** The last target acted on (done or refused), so each is reported once. */
  private handled: string;
  private waitingForLimit = false;
  private unreadable = false;

  /** `boot` is the size QEMU started with, `room` the headroom it was started with (its argv). */
  constructor(private readonly io: ResizeIo, private readonly vm: { boot: GuestSize; room: HotplugHeadroom; accel: Accel; vmName: string }) {
    this.current = { ...vm.boot, memorySlotsUsed: 0 };
    this.handled = key(vm.boot);
  }

  size(): GuestSize {
    return { cpus: this.current.cpus, memoryBytes: this.current.memoryBytes };
  }

  async check(): Promise<void> {
    const files = await this.io.readPodSize();
    if (!files) return;
    const { size: target, problem } = parsePodSize(files.cpuMillis, files.memoryMiB, this.vm.accel);
    const { log } = this.io;
    if (!target) {
      if (!this.unreadable) log(LauncherLog.resizeStep, `warning: ${problem}`);
      this.unreadable = true;
      return;
    }
    this.unreadable = false;
    if (key(target) === this.handled) return;
    const label = resizeLogSize(target.cpus, target.memoryBytes / MiB);
    const problems = hotplugProblems(this.vm.room, this.current, target);
    if (problems.length > 0) {
      this.handled = key(target);
      log(LauncherLog.resizeStep, `${LauncherLog.resizeErrorMark}${label}: ${problems.join('; ')}`);
      log(LauncherLog.resizeStep, `hint: kubectl berth resize ${this.vm.vmName} --restart applies it with a restart`);
      return;
    }
    if (target.memoryBytes > this.current.memoryBytes) {
      // Never give the guest memory the container may not use yet: the kernel would kill QEMU.
      const limit = await this.io.memoryLimit();
      const needed = podMemoryBytes({ memoryBytes: target.memoryBytes, accel: this.vm.accel });
      if (limit !== undefined && limit < needed) {
        if (!this.waitingForLimit) log(LauncherLog.resizeStep, `${label}: waiting until the container's memory limit (${Math.floor(limit / MiB)} MiB) is raised to ${needed / MiB} MiB`);
        this.waitingForLimit = true;
        return;
      }
    }
    this.waitingForLimit = false;
    this.handled = key(target);
    const failure = await this.plug(target);
    if (failure) {
      log(LauncherLog.resizeStep, `${LauncherLog.resizeErrorMark}${label}: ${failure}`);
      return;
    }
    log(LauncherLog.resizeStep, `${LauncherLog.resizedMark}${label}`);
  }

  /** Plugs what `target` adds; the reason when QEMU refused (what was plugged before stays). */
  private async plug(target: GuestSize): Promise<string | undefined> {
    const addCpus = target.cpus - this.current.cpus;
    if (addCpus > 0) {
      const reply = await this.io.execute('query-hotpluggable-cpus');
      if (reply.error) return `QEMU cannot list its CPU slots: ${reply.error.desc}`;
      const commands = cpuPlugCommands((reply.return ?? []) as HotpluggableCpu[], addCpus);
      if (!commands) return `QEMU has fewer than ${addCpus} free CPU slots`;
      for (const command of commands) {
        const added = await this.io.execute(command.execute, command.arguments);
        if (added.error) return `QEMU did not add a vCPU: ${added.error.desc}`;
        this.current.cpus += 1;
      }
    }
    const addBytes = target.memoryBytes - this.current.memoryBytes;
    if (addBytes > 0) {
      for (const command of memoryPlugCommands(this.current.memorySlotsUsed + 1, addBytes)) {
        const done = await this.io.execute(command.execute, command.arguments);
        if (done.error) return `QEMU did not add ${addBytes / MiB} MiB: ${done.error.desc}`;
      }
      this.current.memorySlotsUsed += 1;
      this.current.memoryBytes += addBytes;
    }
    return undefined;
  }
}

function key(size: GuestSize): string {
  return `${size.cpus}/${size.memoryBytes}`;
}
