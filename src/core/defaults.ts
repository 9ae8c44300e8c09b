// The VM's defaults and limits live in shared/defaults.ts, the one table the plugin, the agent and
// the launcher read; they are re-exported here for the plugin's flags, as is the pod's size around
// the guest (shared/vm-size.ts), which the launcher reads back after a resize.
export { VM_DEFAULTS, VM_LIMITS } from '../../shared/defaults.js';
export { CPU_REQUEST_MILLIS_PER_VCPU, MEMORY_OVERHEAD_BYTES, TCG_EXTRA_OVERHEAD_BYTES } from '../../shared/vm-size.js';

/** Seconds between SIGTERM and SIGKILL beyond the guest's powerdown: QEMU quits, qcow2 flushes. */
export const TERMINATION_MARGIN_SECONDS = 15;
