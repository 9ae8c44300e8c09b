// A VM's size on both sides of the pod: the plugin sizes the VM pod around the guest (requests and
// limits), and the launcher reads the pod's resources back to learn the guest's size after an
// in-place resize. One formula, here, so the two can never disagree; and the hotplug headroom QEMU
// starts with, which both the launcher (its argv) and the plugin (what fits in place) compute.
import type { Accel } from './contract.js';
import { VM_LIMITS } from './defaults.js';
import { MiB } from './quantity.js';

/**
 * Memory the pod needs beyond the guest's RAM, from `npm run bench -- --only qemu-memory`
 * (BENCHMARKS.md): QEMU 7.2 under TCG kept 117–120 MB resident outside the guest's RAM for guests
 * of 256 MiB to 8 GiB with 1 or 4 vCPUs, flat across both, so the overhead is a constant, not a
 * share of the guest (no growth was measured up to 8 GiB). With one vCPU, 51 MB of it lay outside
 * TCG's code buffer: what QEMU needs under KVM too. The launcher's Node.js adds about 50 MB. So:
 * 128Mi for QEMU and the launcher (about 101 MB measured under KVM's terms), and under TCG another
 * 128Mi for the code buffer (about 67 MB measured; it grows with the code a guest runs, up to its
 * 1 GiB mapping, so twice the figure).
 */
export const MEMORY_OVERHEAD_BYTES = 128 * MiB;
export const TCG_EXTRA_OVERHEAD_BYTES = 128 * MiB;

/**
 * CPU the pod requests per virtual CPU, in millicores. Like KubeVirt's default CPU allocation
 * ratio of 10, a vCPU reserves a tenth of a core: idle legacy VMs are the norm, and a request of
 * whole cores would strand most of a node. No CPU limit is set, so a busy guest is not throttled.
 */
export const CPU_REQUEST_MILLIS_PER_VCPU = 100;

export interface GuestSize {
  cpus: number;
  memoryBytes: number;
}

/** Guest RAM plus what QEMU, the launcher and (under TCG) the translation cache need. */
export function podMemoryBytes(spec: { memoryBytes: number; accel: Accel }): number {
  return spec.memoryBytes + MEMORY_OVERHEAD_BYTES + (spec.accel === 'tcg' ? TCG_EXTRA_OVERHEAD_BYTES : 0);
}

/** The pod's CPU request for a guest of `cpus` vCPUs, in millicores. */
export function podCpuMillis(cpus: number): number {
  return cpus * CPU_REQUEST_MILLIS_PER_VCPU;
}

/**
 * The guest a pod's resources were sized for: the inverse of podMemoryBytes and podCpuMillis. The
 * launcher reads the pod's CPU request and memory limit (downward API) and gets back what the
 * plugin asked for. Undefined when the values are not ones the plugin writes (a pod edited by hand).
 */
export function guestSizeFromPod(cpuMillis: number, memoryLimitBytes: number, accel: Accel): GuestSize | undefined {
  const cpus = cpuMillis / CPU_REQUEST_MILLIS_PER_VCPU;
  const memoryBytes = memoryLimitBytes - podMemoryBytes({ memoryBytes: 0, accel });
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > VM_LIMITS.maxCpus) return undefined;
  if (memoryBytes < VM_LIMITS.minMemoryBytes) return undefined;
  return { cpus, memoryBytes };
}

/**
 * How far a running guest can grow without a restart. QEMU must be started with room for CPUs and
 * memory it may be given later (`-smp N,maxcpus=M`, `-m SIZE,slots=S,maxmem=MAX`); unused room
 * costs no host memory (maxmem is address space only) and idle CPU slots cost nothing. The room is
 * four times the boot size, KubeVirt's default hotplug ratio (maxHotplugRatio 4), within the VM
 * limits (64 vCPUs) and within the largest node that may run the VM (NodeRoom): a guest cannot use
 * more vCPUs than its host has CPUs, nor more memory than the kubelet lets one pod have there, so
 * room beyond that could only end in an Infeasible resize. A larger size needs `resize --restart`,
 * which boots with room from the new size.
 */
export const HOTPLUG_RATIO = 4;
/** pc-dimm slots: one is used by each resize that adds memory. */
export const MEMORY_SLOTS = 16;
/**
 * Added memory comes in whole multiples of this: x86 Linux onlines memory in 128 MiB blocks, so a
 * DIMM of another size would leave part of it offline.
 */
export const MEMORY_HOTPLUG_ALIGN_BYTES = 128 * MiB;

export interface HotplugHeadroom {
  maxCpus: number;
  maxMemoryBytes: number;
  memorySlots: number;
}

/**
 * The most the largest node that may run a VM can give its guest: the node's CPUs, and the memory
 * a pod may have there (allocatable) less QEMU's overhead. A field is absent when no node says
 * (nodes that cannot be listed): the room is then the ratio's alone.
 */
export interface NodeRoom {
  cpus?: number;
  memoryBytes?: number;
}

export function hotplugHeadroom(boot: GuestSize, node: NodeRoom = {}): HotplugHeadroom {
  const cpus = Math.min(VM_LIMITS.maxCpus, boot.cpus * HOTPLUG_RATIO, node.cpus ?? Infinity);
  const memoryBytes = Math.min(VM_LIMITS.maxMemoryBytes, boot.memoryBytes * HOTPLUG_RATIO, node.memoryBytes ?? Infinity);
  // Never less than the boot size: a VM larger than its node is Pending, not shrunk.
  return { maxCpus: Math.max(boot.cpus, cpus), maxMemoryBytes: Math.max(boot.memoryBytes, memoryBytes), memorySlots: MEMORY_SLOTS };
}

/**
 * Why a running guest, now at `current`, cannot grow to `target` in place; [] when it can. `room`
 * is what its QEMU was started with (the pod's BERTH_MAX_* variables), not what a new start would get.
 */
export function hotplugProblems(room: HotplugHeadroom, current: GuestSize & { memorySlotsUsed: number }, target: GuestSize): string[] {
  const problems: string[] = [];
  if (target.cpus < current.cpus) problems.push(`fewer vCPUs (${current.cpus} to ${target.cpus}) need a restart: berth removes no CPU from a running guest`);
  if (target.cpus > room.maxCpus) problems.push(`${target.cpus} vCPUs exceed the ${room.maxCpus} this VM was started with room for`);
  if (target.memoryBytes < current.memoryBytes) problems.push(`less memory (${current.memoryBytes / MiB} MiB to ${target.memoryBytes / MiB} MiB) needs a restart: a running guest cannot be made to give memory back reliably`);
  if (target.memoryBytes > room.maxMemoryBytes) problems.push(`${target.memoryBytes / MiB} MiB exceeds the ${Math.floor(room.maxMemoryBytes / MiB)} MiB this VM was started with room for`);
  const added = target.memoryBytes - current.memoryBytes;
  if (added > 0 && added % MEMORY_HOTPLUG_ALIGN_BYTES !== 0) problems.push(`memory can only be added in multiples of ${MEMORY_HOTPLUG_ALIGN_BYTES / MiB} MiB (Linux onlines memory in blocks of that size); ${added / MiB} MiB is not one`);
  if (added > 0 && current.memorySlotsUsed >= room.memorySlots) problems.push(`all ${room.memorySlots} memory slots are used`);
  return problems;
}
