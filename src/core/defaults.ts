// Every default and limit of a VM in one place: flags read their defaults from here, so the help
// text and the behaviour cannot drift apart.
import type { Accel } from '../../shared/contract.js';
import { MiB } from '../../shared/quantity.js';

export const VM_DEFAULTS = {
  cpus: 1,
  memory: '1Gi',
  diskSize: '10Gi',
  accel: 'kvm' as Accel,
  /** The guest's sshd: the readiness probe's port. 0 turns the probe off. */
  readyPort: 22,
  /** Seconds the launcher gives the guest to power down after SIGTERM. */
  shutdownTimeout: '120',
  /** How long `--wait` waits for the guest to answer. */
  waitTimeout: '5m',
} as const;

export const VM_LIMITS = {
  maxCpus: 64,
  minMemoryBytes: 64 * MiB,
  minDiskBytes: 1024 * MiB,
  maxShutdownSeconds: 3600,
  /** RFB's DES challenge uses 8 bytes of the password; QEMU ignores the rest. */
  maxVncPasswordLength: 8,
} as const;

/**
 * Memory the pod needs beyond the guest's RAM. Measured in research/vm-spike.md (QEMU 7.2, guest
 * -m 256, idle after boot): RSS 234–248 MB, of which 132 MB guest RAM, 64 MB TCG translation cache
 * and about 20 MB QEMU binary and heap. Added: the Node.js launcher (~50 MB) and dnsmasq, rounded up
 * to 128Mi; under TCG the translation cache comes on top (another 128Mi, twice the idle figure,
 * because it grows with the guest's code footprint).
 */
export const MEMORY_OVERHEAD_BYTES = 128 * MiB;
export const TCG_EXTRA_OVERHEAD_BYTES = 128 * MiB;

/**
 * CPU the pod requests per virtual CPU, in millicores. Like KubeVirt's default CPU allocation
 * ratio of 10, a vCPU reserves a tenth of a core: idle legacy VMs are the norm, and a request of
 * whole cores would strand most of a node. No CPU limit is set, so a busy guest is not throttled.
 */
export const CPU_REQUEST_MILLIS_PER_VCPU = 100;

/** Seconds between SIGTERM and SIGKILL beyond the guest's powerdown: QEMU quits, qcow2 flushes. */
export const TERMINATION_MARGIN_SECONDS = 15;
