// What `kubectl berth uninstall` does not remove, said plainly: VMs (their StatefulSets keep
// running without an agent), their disks (PVCs hold user data) and the base images cached on the
// nodes' disks. Also which node labels and annotations the agent left, so uninstall can clear them.
import type { V1Node, V1PersistentVolumeClaim, V1StatefulSet } from '@kubernetes/client-node';
import { API_GROUP, Labels, Paths } from '../../shared/contract.js';

export interface VmSummary {
  namespace: string;
  name: string;
  running: boolean;
}

export interface DiskSummary {
  namespace: string;
  name: string;
  vm: string;
}

export interface Inventory {
  vms: VmSummary[];
  disks: DiskSummary[];
  /** Nodes with cached images, and the images' label names. */
  cachedImages: { node: string; images: string[] }[];
}

export function inventory(statefulSets: V1StatefulSet[], pvcs: V1PersistentVolumeClaim[], nodes: V1Node[]): Inventory {
  const vms = statefulSets.map((s) => ({
    namespace: s.metadata?.namespace ?? '',
    name: s.metadata?.labels?.[Labels.vm] ?? s.metadata?.name ?? '',
    running: (s.spec?.replicas ?? 1) > 0,
  }));
  const disks = pvcs.map((p) => ({
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    vm: p.metadata?.labels?.[Labels.vm] ?? '',
  }));
  const cachedImages = nodes
    .map((n) => ({
      node: n.metadata?.name ?? '',
      images: Object.keys(n.metadata?.labels ?? {})
        .filter((k) => k.startsWith(Labels.nodeImagePrefix))
        .map((k) => k.slice(Labels.nodeImagePrefix.length))
        .sort(),
    }))
    .filter((n) => n.images.length > 0);
  return { vms, disks, cachedImages };
}

function qualified(item: { namespace: string; name: string }): string {
  return `${item.namespace}/${item.name}`;
}

/** Why uninstall stops without --yes, or undefined when nothing is in the way. */
export function refusalReason(inv: Inventory): string | undefined {
  if (inv.vms.length === 0) return undefined;
  const running = inv.vms.filter((v) => v.running).length;
  return `${inv.vms.length} VM(s) still exist (${running} running): ${inv.vms.map(qualified).join(', ')}`;
}

/** The lines uninstall prints at the end: what is still there and how to remove it. */
export function leftoverLines(inv: Inventory): string[] {
  const lines: string[] = [];
  if (inv.vms.length > 0) {
    lines.push(`left ${inv.vms.length} VM(s) in place: ${inv.vms.map((v) => `${qualified(v)}${v.running ? ' (running)' : ''}`).join(', ')}`);
    lines.push('  without the agent they cannot be rescheduled; remove them with: kubectl berth purge NAME -n NAMESPACE');
  }
  if (inv.disks.length > 0) {
    lines.push(`kept ${inv.disks.length} VM disk(s) (PVCs): ${inv.disks.map(qualified).join(', ')}`);
    lines.push('  delete one with: kubectl delete pvc NAME -n NAMESPACE (its data is lost)');
  }
  for (const n of inv.cachedImages) {
    lines.push(`kept cached base images on node ${n.node} in ${Paths.imageCache}: ${n.images.join(', ')}`);
  }
  if (inv.cachedImages.length > 0) lines.push(`  free that space by deleting ${Paths.imageCache} on those nodes`);
  if (lines.length === 0) lines.push('nothing of berth is left on the cluster');
  return lines;
}

function isBerthKey(key: string): boolean {
  return key.startsWith(`${API_GROUP}/`) || key.startsWith(Labels.nodeImagePrefix);
}

/**
 * A merge patch that removes every berth label and annotation from a node, or undefined when it
 * carries none. Without the agent they would be stale: the scheduler would still send VMs there.
 */
export function nodeCleanupPatch(node: V1Node): { metadata: { labels?: Record<string, null>; annotations?: Record<string, null> } } | undefined {
  const strip = (map: Record<string, string> | undefined) => {
    const keys = Object.keys(map ?? {}).filter(isBerthKey);
    return keys.length > 0 ? Object.fromEntries(keys.map((k) => [k, null])) : undefined;
  };
  const labels = strip(node.metadata?.labels);
  const annotations = strip(node.metadata?.annotations);
  if (!labels && !annotations) return undefined;
  return { metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}
