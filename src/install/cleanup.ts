// The cluster side of uninstall beyond the manifests: take stock of what stays (VMs, disks,
// cached images) and clear the labels the agents put on nodes.
import type { Connection } from '../kube/connect.js';
import { allVmsSelector } from '../core/vm-labels.js';
import { call, type KubeApis } from '../kube/vm-objects.js';
import { inventory, nodeCleanupPatch, type Inventory } from './leftovers.js';

export async function takeInventory(conn: Connection, apis: KubeApis): Promise<Inventory & { nodeNames: string[]; cleanups: Map<string, object> }> {
  const selector = allVmsSelector();
  const [sts, pvcs, nodes] = await Promise.all([
    call(conn, 'list VMs', () => apis.apps.listStatefulSetForAllNamespaces({ labelSelector: selector })),
    call(conn, 'list VM disks', () => apis.core.listPersistentVolumeClaimForAllNamespaces({ labelSelector: selector })),
    call(conn, 'list nodes', () => apis.core.listNode()),
  ]);
  const cleanups = new Map<string, object>();
  for (const node of nodes.items) {
    const patch = nodeCleanupPatch(node);
    if (patch) cleanups.set(node.metadata!.name!, patch);
  }
  return { ...inventory(sts.items, pvcs.items, nodes.items), nodeNames: nodes.items.map((n) => n.metadata!.name!), cleanups };
}

/** Removes berth labels and annotations from nodes (the image files themselves stay on disk). */
export async function clearNodeLabels(conn: Connection, apis: KubeApis, cleanups: Map<string, object>, progress: (line: string) => void): Promise<void> {
  const k8s = await import('@kubernetes/client-node');
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  for (const [name, body] of cleanups) {
    await call(conn, `remove berth labels from node ${name}`, () => apis.core.patchNode({ name, body }, mergePatch));
    progress(`node/${name} berth labels removed`);
  }
}
