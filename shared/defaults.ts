// Every default and limit of a VM, in one table that all three sides read: the plugin's flags take
// their defaults (and their help text) from it, the plugin writes the results into the VM pod's
// environment, and the launcher falls back to the same values when a variable is missing (the
// plugin always sets them; a launcher run by hand or by a test then behaves like `create` without
// flags). Sizes and durations are written the way a user types them and parsed with the one
// quantity and duration parser (quantity.ts, duration.ts).
import type { Accel, Firmware, GuestShutdownAction, VncMode } from './contract.js';
import { MiB } from './quantity.js';

export const VM_DEFAULTS = {
  cpus: 1,
  memory: '1Gi',
  diskSize: '10Gi',
  accel: 'kvm' as Accel,
  vnc: 'loopback' as VncMode,
  firmware: 'bios' as Firmware,
  onGuestShutdown: 'restart' as GuestShutdownAction,
  /** The guest's sshd: the readiness probe's port. 0 turns the probe off. */
  readyPort: 22,
  /** Seconds the launcher gives the guest to power down after SIGTERM. */
  shutdownTimeout: '120',
  /** How long `--wait` waits for the guest to answer. */
  waitTimeout: '5m',
  /**
   * The VM's private /30 behind the pod IP: the guest's address and the launcher's side of it.
   * From RFC 1918 space that pod networks rarely use; the launcher refuses a pod IP inside it.
   */
  vmIp: '192.168.254.2',
  vmGateway: '192.168.254.1',
} as const;

export const VM_LIMITS = {
  maxCpus: 64,
  minMemoryBytes: 64 * MiB,
  /** Far beyond any node; it keeps the MiB the launcher reads a safe integer. */
  maxMemoryBytes: 4 * 1024 * 1024 * MiB,
  minDiskBytes: 1024 * MiB,
  /** qemu-img makes a 1Pi qcow2 overlay with its 64K clusters and refuses 3P ("too large for file format"). */
  maxDiskBytes: 1024 * 1024 * 1024 * MiB,
  maxShutdownSeconds: 3600,
  /** RFB's DES challenge uses 8 bytes of the password; QEMU ignores the rest. */
  maxVncPasswordLength: 8,
} as const;
