// `kubectl berth nodes`: which nodes can run VMs and with which accelerator, from the labels and
// annotations the node agent writes. Pure.
import { Annotations, LabelValues, Labels } from '../../shared/contract.js';
import type { NodeFacts } from './catalog-api.js';

export interface NodeRow {
  name: string;
  /** 'yes' when the agent proved a guest runs, 'no' when it proved none does, 'unknown' without an agent. */
  vms: 'yes' | 'no' | 'unknown';
  accel: 'kvm' | 'tcg' | 'none' | 'unknown';
  reason: string;
  agentVersion?: string;
  imagesReady: string[];
}

export function buildNodeRow(node: NodeFacts): NodeRow {
  const kvm = node.labels[Labels.nodeKvm];
  const ready = node.labels[Labels.nodeReady];
  const imagesReady = Object.entries(node.labels)
    .filter(([k, v]) => k.startsWith(Labels.nodeImagePrefix) && v === LabelValues.imageReady)
    .map(([k]) => k.slice(Labels.nodeImagePrefix.length))
    .sort();
  const agentVersion = node.annotations[Annotations.nodeAgentVersion];
  if (ready === undefined && kvm === undefined) {
    return { name: node.name, vms: 'unknown', accel: 'unknown', reason: agentVersion ? 'the agent has not finished its first probe' : 'no berth agent reports on this node (run kubectl berth install)', agentVersion, imagesReady };
  }
  const accel = kvm === 'true' ? 'kvm' : ready === 'true' ? 'tcg' : 'none';
  return {
    name: node.name,
    vms: ready === 'true' || kvm === 'true' ? 'yes' : 'no',
    accel,
    reason: node.annotations[Annotations.nodeKvmReason] ?? '',
    agentVersion,
    imagesReady,
  };
}

export function buildNodeRows(nodes: NodeFacts[]): NodeRow[] {
  return nodes.map(buildNodeRow).sort((a, b) => a.name.localeCompare(b.name));
}

/** What the ACCEL column shows: 'tcg only' makes the slow path obvious. */
export function accelLabel(row: NodeRow): string {
  return row.accel === 'tcg' ? 'tcg only' : row.accel;
}
