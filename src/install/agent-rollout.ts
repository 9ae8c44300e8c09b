// When is berth installed? When the agent DaemonSet has a ready, current pod on every node it
// targets AND each of those agents has reported on its node (Labels.nodeReady is set). Pure: the
// caller reads the objects, this decides and words the progress line.
import type { V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { Annotations, Labels } from '../../shared/contract.js';
import { STUCK_WAITING_REASONS } from '../core/vm-status.js';

export interface NodeReport {
  node: string;
  /** The value of Labels.nodeReady, undefined while the agent has not reported. */
  ready?: string;
  kvm?: string;
  reason?: string;
}

export interface AgentRollout {
  desired: number;
  updated: number;
  ready: number;
  reports: NodeReport[];
  done: boolean;
  /** Agent pods stuck on something a user must fix, e.g. "berth-node: ErrImageNeverPull (…)". */
  problems: string[];
  /** One line for progress output, e.g. "agents ready 1/1, nodes reported 0/1". */
  summary: string;
}

function isReady(conditions: { type: string; status: string }[] | undefined): boolean {
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function agentRollout(ds: V1DaemonSet | undefined, agentPods: V1Pod[], nodes: V1Node[]): AgentRollout {
  const status = ds?.status;
  const desired = status?.desiredNumberScheduled ?? 0;
  const updated = status?.updatedNumberScheduled ?? 0;
  const observed = (status?.observedGeneration ?? 0) >= (ds?.metadata?.generation ?? 1);

  // A NotReady node cannot run its agent; waiting for it would only end in a timeout.
  const byName = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
  const agentNodes = [...new Set(agentPods.map((p) => p.spec?.nodeName).filter((n): n is string => Boolean(n)))].sort();
  const liveNodes = agentNodes.filter((n) => isReady(byName.get(n)?.status?.conditions));
  const skipped = agentNodes.filter((n) => !liveNodes.includes(n));
  const livePods = agentPods.filter((p) => liveNodes.includes(p.spec?.nodeName ?? ''));
  const ready = livePods.filter((p) => isReady(p.status?.conditions)).length;
  const reports = liveNodes.map((node): NodeReport => {
    const meta = byName.get(node)?.metadata;
    return {
      node,
      ready: meta?.labels?.[Labels.nodeReady],
      kvm: meta?.labels?.[Labels.nodeKvm],
      reason: meta?.annotations?.[Annotations.nodeKvmReason],
    };
  });
  const reported = reports.filter((r) => r.ready !== undefined).length;

  const done = ds !== undefined && observed && desired > 0 && updated === desired
    && livePods.length > 0 && ready === livePods.length && reported === reports.length;
  const skippedNote = skipped.length > 0 ? `; not waiting for NotReady node(s) ${skipped.join(', ')}` : '';
  const summary = ds === undefined
    ? 'waiting for the agent DaemonSet'
    : desired === 0
      ? 'no node is scheduled to run the agent yet'
      : `agents ready ${ready}/${livePods.length} (updated ${updated}/${desired}), nodes reported ${reported}/${reports.length}${skippedNote}`;
  return { desired, updated, ready, reports, done, problems: podProblems(livePods), summary };
}

export function podProblems(pods: V1Pod[]): string[] {
  const problems: string[] = [];
  for (const pod of pods) {
    for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const waiting = cs.state?.waiting;
      if (waiting?.reason && STUCK_WAITING_REASONS.has(waiting.reason)) {
        const where = pod.spec?.nodeName ?? pod.metadata?.name ?? 'agent';
        problems.push(`${where}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`);
      }
    }
  }
  return problems;
}

/** The lines printed once install is done: which nodes can run VMs, and how. */
export function describeNodes(reports: NodeReport[]): string[] {
  return reports.map((r) => {
    if (r.ready !== 'true') return `node ${r.node}: cannot run VMs${r.reason ? ` (${r.reason})` : ''}`;
    const accel = r.kvm === 'true' ? 'KVM' : 'TCG only, no usable KVM';
    return `node ${r.node}: ready for VMs (${accel}${r.kvm !== 'true' && r.reason ? `: ${r.reason}` : ''})`;
  });
}
