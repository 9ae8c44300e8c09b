// stop and start: a VM's StatefulSet scaled to 0 or 1 through the scale subresource (what
// `kubectl scale` uses, and what RBAC can grant on its own). The disk PVC is never touched.
import { BerthError } from '../../shared/errors.js';
import { checkVmName, vmPodName } from '../core/names.js';
import type { Connection } from './connect.js';
import { call, getVm, readOptional, type KubeApis } from './vm-objects.js';

export interface ScaleResult {
  name: string;
  namespace: string;
  /** False when the VM already had the wanted replica count. */
  changed: boolean;
}

export async function setVmReplicas(conn: Connection, apis: KubeApis, rawName: string, replicas: 0 | 1): Promise<ScaleResult> {
  const name = checkVmName(rawName);
  const namespace = conn.namespace;
  const sts = await getVm(conn, apis, name, namespace);
  if ((sts.spec?.replicas ?? 1) === replicas) return { name, namespace, changed: false };
  await call(conn, `${replicas === 0 ? 'stop' : 'start'} VM '${name}'`, () =>
    apis.apps.patchNamespacedStatefulSetScale({ name, namespace, body: [{ op: 'replace', path: '/spec/replicas', value: replicas }] }),
  { subject: `VM '${name}'` });
  return { name, namespace, changed: true };
}

/** restart: deletes the VM's pod (graceful: the guest powers down); the StatefulSet makes a new one. */
export async function restartVm(conn: Connection, apis: KubeApis, rawName: string): Promise<ScaleResult & { oldPodUid?: string }> {
  const name = checkVmName(rawName);
  const namespace = conn.namespace;
  const sts = await getVm(conn, apis, name, namespace);
  if ((sts.spec?.replicas ?? 1) === 0) {
    throw new BerthError('VM_NOT_RUNNING', `VM '${name}' is stopped`, { hint: `start it with: kubectl berth start ${name}` });
  }
  const podName = vmPodName(name);
  const pod = await readOptional(conn, `read the pod of VM '${name}'`, () => apis.core.readNamespacedPod({ name: podName, namespace }));
  if (!pod) return { name, namespace, changed: false };
  await readOptional(conn, `restart VM '${name}'`, () => apis.core.deleteNamespacedPod({ name: podName, namespace, body: { preconditions: { uid: pod.metadata?.uid } } }));
  return { name, namespace, changed: true, oldPodUid: pod.metadata?.uid };
}
