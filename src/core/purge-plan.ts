// What `purge` will delete, decided before anything is deleted: every named VM must exist, and the
// plan lists each object so the user confirms exactly that. Pure.
import type { V1PersistentVolumeClaim, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import { Labels } from '../../shared/contract.js';

export interface PurgeListing {
  statefulSets: V1StatefulSet[];
  secrets: V1Secret[];
  pvcs: V1PersistentVolumeClaim[];
}

export interface PurgeTarget {
  vm: string;
  statefulSet?: string;
  secrets: string[];
  /** Disks that will be deleted (only with --delete-disks). */
  pvcs: string[];
  /** Disks that stay. */
  keptPvcs: string[];
}

export interface PurgePlan {
  targets: PurgeTarget[];
  /** Named VMs that do not exist: the purge must not go ahead. */
  missing: string[];
}

function byVm<T extends { metadata?: { labels?: Record<string, string> } }>(items: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const vm = item.metadata?.labels?.[Labels.vm];
    if (vm) map.set(vm, [...(map.get(vm) ?? []), item]);
  }
  return map;
}

/**
 * `names` are the VMs asked for, or 'all'. A name with no StatefulSet still counts when leftovers
 * of it would be deleted (a Secret, or disks with --delete-disks), so purge can finish a purge.
 */
export function planPurge(names: readonly string[] | 'all', listing: PurgeListing, deleteDisks: boolean): PurgePlan {
  const sts = new Map(listing.statefulSets.map((s) => [s.metadata?.labels?.[Labels.vm] ?? s.metadata?.name ?? '', s]));
  const secrets = byVm(listing.secrets);
  const pvcs = byVm(listing.pvcs);
  const wanted = names === 'all' ? [...sts.keys()].sort() : [...new Set(names)];
  const targets: PurgeTarget[] = [];
  const missing: string[] = [];
  for (const vm of wanted) {
    const disks = (pvcs.get(vm) ?? []).map((p) => p.metadata?.name ?? '').sort();
    const target: PurgeTarget = {
      vm,
      statefulSet: sts.get(vm)?.metadata?.name,
      secrets: (secrets.get(vm) ?? []).map((s) => s.metadata?.name ?? '').sort(),
      pvcs: deleteDisks ? disks : [],
      keptPvcs: deleteDisks ? [] : disks,
    };
    if (!target.statefulSet && target.secrets.length === 0 && target.pvcs.length === 0) missing.push(vm);
    else targets.push(target);
  }
  return { targets, missing };
}

/** The objects the plan deletes, as kind/name lines in deletion order. */
export function planLines(plan: PurgePlan): string[] {
  return plan.targets.flatMap((t) => [
    ...(t.statefulSet ? [`statefulset/${t.statefulSet}`] : []),
    ...t.secrets.map((s) => `secret/${s}`),
    ...t.pvcs.map((p) => `persistentvolumeclaim/${p}`),
  ]);
}
