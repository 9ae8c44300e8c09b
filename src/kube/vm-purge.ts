// purge on the cluster: three LISTs to plan (StatefulSets, Secrets, PVCs of VMs), then deletes.
import { isNotFound } from './errors.js';
import { allVmsSelector } from '../core/vm-labels.js';
import type { PurgeListing, PurgePlan } from '../core/purge-plan.js';
import type { Connection } from './connect.js';
import { call, type KubeApis } from './vm-objects.js';

export async function listPurgeable(conn: Connection, apis: KubeApis): Promise<PurgeListing> {
  const namespace = conn.namespace;
  const labelSelector = allVmsSelector();
  const [sts, secrets, pvcs] = await Promise.all([
    call(conn, 'list VMs', () => apis.apps.listNamespacedStatefulSet({ namespace, labelSelector })),
    call(conn, 'list VM Secrets', () => apis.core.listNamespacedSecret({ namespace, labelSelector })),
    call(conn, 'list VM disks', () => apis.core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector })),
  ]);
  return { statefulSets: sts.items, secrets: secrets.items, pvcs: pvcs.items };
}

/** Deletes what the plan lists, StatefulSet first so the guest powers down; reports each object. */
export async function executePurge(conn: Connection, apis: KubeApis, plan: PurgePlan, deleted: (object: string) => void): Promise<void> {
  const namespace = conn.namespace;
  const gone = async (object: string, fn: () => Promise<unknown>) => {
    // Already gone (someone else was quicker) counts as deleted.
    await call(conn, `delete ${object}`, () => fn().catch((error) => {
      if (!isNotFound(error)) throw error;
    }));
    deleted(object);
  };
  for (const t of plan.targets) {
    if (t.statefulSet) {
      const name = t.statefulSet;
      await gone(`statefulset/${name}`, () => apis.apps.deleteNamespacedStatefulSet({ name, namespace, propagationPolicy: 'Background' }));
    }
    for (const name of t.secrets) await gone(`secret/${name}`, () => apis.core.deleteNamespacedSecret({ name, namespace }));
    for (const name of t.pvcs) await gone(`persistentvolumeclaim/${name}`, () => apis.core.deleteNamespacedPersistentVolumeClaim({ name, namespace }));
  }
}
