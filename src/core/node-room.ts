// What the nodes that may run a VM can give it. create refuses a VM no node could hold, and create
// and resize bound a VM's room to grow (shared/vm-size.ts) by the largest of those nodes. Pure.
import type { V1Node } from '@kubernetes/client-node';
import { Labels, type Accel } from '../../shared/contract.js';
import { parseCpuMillis, parseSize } from '../../shared/quantity.js';
import { podMemoryBytes, type NodeRoom } from '../../shared/vm-size.js';

/** The label the agent puts on a node that can run a VM with this accelerator. */
export function requiredNodeLabel(accel: Accel): string {
  return accel === 'kvm' ? Labels.nodeKvm : Labels.nodeReady;
}

/** The label selector of the nodes a VM's pod may land on: its required label and --node-selector. */
export function vmNodeLabelSelector(accel: Accel, nodeSelector: Record<string, string> = {}): string {
  return [`${requiredNodeLabel(accel)}=true`, ...Object.entries(nodeSelector).map(([k, v]) => `${k}=${v}`)].join(',');
}

/**
 * The largest memory any of these nodes can give a pod (status.allocatable), or undefined when no
 * node says (a quantity we do not parse counts as unknown, never as too small).
 */
export function largestAllocatableMemory(nodes: readonly V1Node[]): number | undefined {
  let largest: number | undefined;
  for (const node of nodes) {
    const raw = node.status?.allocatable?.memory;
    const parsed = raw === undefined ? undefined : parseSize(raw);
    if (parsed?.ok) largest = Math.max(largest ?? 0, parsed.bytes);
  }
  return largest;
}

/**
 * The most a VM's guest could be given on the largest of these nodes: the node's CPUs (capacity,
 * not allocatable: a VM's vCPUs run on any of the host's CPUs, and its pod requests a tenth of a
 * core each), and the memory one pod may have there less QEMU's overhead.
 */
export function largestNodeRoom(nodes: readonly V1Node[], accel: Accel): NodeRoom {
  let cpus: number | undefined;
  for (const node of nodes) {
    const millis = parseCpuMillis(node.status?.capacity?.cpu);
    if (millis !== undefined && millis >= 1000) cpus = Math.max(cpus ?? 0, Math.floor(millis / 1000));
  }
  const allocatable = largestAllocatableMemory(nodes);
  const overhead = podMemoryBytes({ memoryBytes: 0, accel });
  const memoryBytes = allocatable !== undefined && allocatable > overhead ? allocatable - overhead : undefined;
  return { ...(cpus !== undefined ? { cpus } : {}), ...(memoryBytes !== undefined ? { memoryBytes } : {}) };
}
