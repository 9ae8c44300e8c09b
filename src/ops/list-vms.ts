// `ls`: every VM of the namespace (or all namespaces) as one row each, from two LIST requests (more
// when a VM lacks its pod or its launcher runs before the guest answers: vm-list.ts).
import { summariseVms, type VmSummary } from '../core/vm-summary.js';
import type { ClusterReader } from '../kube/reader.js';
import { listVms, type ListOptions } from '../kube/vm-list.js';

export interface VmList {
  /** The namespace listed (the reader's), for the "none found" note. */
  namespace: string;
  rows: VmSummary[];
}

export async function listVmRows(reader: ClusterReader, options: ListOptions): Promise<VmList> {
  const listing = await listVms(reader, options);
  return { namespace: reader.namespace, rows: summariseVms(listing.statefulSets, listing.pods, listing.events, listing.logTails, listing.accounts) };
}
