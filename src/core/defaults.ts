// The VM's defaults and limits live in shared/defaults.ts, the one table the plugin, the agent and
// the launcher read; they are re-exported here for the plugin's flags. What stays here is the
// plugin's own arithmetic for sizing the VM pod around the guest.
import { MiB } from '../../shared/quantity.js';

export { VM_DEFAULTS, VM_LIMITS } from '../../shared/defaults.js';

/**
 * Memory the pod needs beyond the guest's RAM. Measured with QEMU 7.2, guest -m 256, idle after
 * boot: RSS 234–248 MB, of which 132 MB guest RAM, 64 MB TCG translation cache and about 20 MB
 * QEMU binary and heap. Added: the Node.js launcher (~50 MB, with its DHCP server), rounded up to 128Mi;
 * under TCG the translation cache comes on top (another 128Mi, twice the idle figure, because it
 * grows with the guest's code footprint).
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
