// The cluster side of install and uninstall: apply the manifest objects with server-side apply,
// delete them again, and wait for the agents. Decisions live in the pure modules next to this.
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { Connection } from '../kube/connect.js';
import { call, readOptional } from '../kube/vm-objects.js';
import { Catalog } from '../../shared/contract.js';
import { applyOrder, deleteOrder, objectRef, type ManifestObject } from './manifest-set.js';

/** Our own field manager, so install never takes over the fields `images add` writes. */
export const INSTALL_FIELD_MANAGER = 'kubectl-berth-install';

export type ApplyAction = 'created' | 'configured' | 'unchanged' | 'kept';

export interface AppliedObject {
  ref: string;
  action: ApplyAction;
}

export async function objectApi(conn: Connection): Promise<KubernetesObjectApi> {
  const k8s = await import('@kubernetes/client-node');
  return conn.api(k8s.KubernetesObjectApi);
}

function key(object: ManifestObject) {
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace } };
}

/** The catalog is user data once it exists: install creates it empty and never rewrites it. */
function isCatalog(object: ManifestObject): boolean {
  return object.kind === 'ConfigMap' && object.metadata.name === Catalog.configMap;
}

export async function applyObjects(conn: Connection, objects: ManifestObject[], progress: (line: string) => void): Promise<AppliedObject[]> {
  const api = await objectApi(conn);
  const k8s = await import('@kubernetes/client-node');
  const results: AppliedObject[] = [];
  for (const object of applyOrder(objects)) {
    const ref = objectRef(object);
    const existing = await readOptional(conn, `read ${ref}`, () => api.read(key(object)));
    let action: ApplyAction;
    if (existing && isCatalog(object)) {
      action = 'kept';
    } else {
      const applied = await call(conn, `apply ${ref}`, () =>
        api.patch(object, undefined, undefined, INSTALL_FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply),
      );
      action = !existing ? 'created' : existing.metadata?.resourceVersion === applied.metadata?.resourceVersion ? 'unchanged' : 'configured';
    }
    progress(`${ref} ${action}`);
    results.push({ ref, action });
  }
  return results;
}

export type DeleteAction = 'deleted' | 'absent';

export async function deleteObjects(conn: Connection, objects: ManifestObject[], progress: (line: string) => void): Promise<{ ref: string; action: DeleteAction }[]> {
  const api = await objectApi(conn);
  const results: { ref: string; action: DeleteAction }[] = [];
  for (const object of deleteOrder(objects)) {
    const ref = objectRef(object);
    const status = await readOptional(conn, `delete ${ref}`, () =>
      api.delete(key(object), undefined, undefined, undefined, undefined, 'Background'),
    );
    const action: DeleteAction = status === undefined ? 'absent' : 'deleted';
    progress(`${ref} ${action === 'deleted' ? 'deleted' : 'not found'}`);
    results.push({ ref, action });
  }
  return results;
}

/** Whether the object still exists (a namespace lingers while it terminates). */
export async function objectExists(conn: Connection, object: ManifestObject): Promise<boolean> {
  const api = await objectApi(conn);
  return (await readOptional(conn, `read ${objectRef(object)}`, () => api.read(key(object)))) !== undefined;
}
