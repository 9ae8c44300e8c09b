// The VM's defaults and limits live in shared/defaults.ts, the one table the plugin, the agent and
// the launcher read; they are re-exported here for the plugin's flags. What stays here is the
// plugin's own arithmetic for sizing the VM pod around the guest.
import { MiB } from '../../shared/quantity.js';

export { VM_DEFAULTS, VM_LIMITS } from '../../shared/defaults.js';

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

/** Seconds between SIGTERM and SIGKILL beyond the guest's powerdown: QEMU quits, qcow2 flushes. */
export const TERMINATION_MARGIN_SECONDS = 15;
