// Reading and editing the catalog ConfigMap for the plugin: the one place the plugin reads it
// (create, images, completion; parsing is shared/catalog.ts). Edits are JSON merge patches of one
// key, so two people adding different images at once cannot overwrite each other.
import type { Connection } from '../kube/connect.js';
import { BerthError } from '../../shared/errors.js';
import { toBerthError, isNotFound } from '../kube/errors.js';
import { apiContext } from '../kube/vm-objects.js';
import { Catalog, LabelValues, Labels, catalogNamespace } from '../../shared/contract.js';
import type { CatalogChange } from './catalog-edit.js';

function notInstalled(namespace: string): BerthError {
  return new BerthError('NOT_FOUND', `namespace ${namespace} does not exist: berth is not installed on this cluster`, {
    hint: 'run kubectl berth install',
  });
}

async function core(conn: Connection) {
  const k8s = await import('@kubernetes/client-node');
  return { k8s, api: await conn.api(k8s.CoreV1Api) };
}

/** The catalog's data (image name → JSON entry); undefined when its ConfigMap does not exist. */
export async function readCatalog(conn: Connection): Promise<Record<string, string> | undefined> {
  const { api } = await core(conn);
  const namespace = catalogNamespace();
  try {
    const cm = await api.readNamespacedConfigMap({ name: Catalog.configMap, namespace });
    return cm.data ?? {};
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toBerthError(error, apiContext(conn, 'read the image catalog', { namespace }));
  }
}

/** As readCatalog, for the images commands: a missing catalog namespace means berth is not installed. */
export async function readCatalogData(conn: Connection): Promise<Record<string, string> | undefined> {
  const data = await readCatalog(conn);
  if (data) return data;
  const { api } = await core(conn);
  const namespace = catalogNamespace();
  try {
    await api.readNamespace({ name: namespace });
  } catch (error) {
    if (isNotFound(error)) throw notInstalled(namespace);
    throw toBerthError(error, { action: `read namespace ${namespace}` });
  }
  return undefined;
}

export async function applyCatalogChange(conn: Connection, change: CatalogChange): Promise<void> {
  if (change.kind === 'none') return;
  const { k8s, api } = await core(conn);
  const namespace = catalogNamespace();
  try {
    if (change.kind === 'create') {
      await api.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: Catalog.configMap, namespace, labels: { [Labels.managedBy]: LabelValues.managedBy } }, data: change.data },
      });
    } else {
      await api.patchNamespacedConfigMap(
        { name: Catalog.configMap, namespace, body: change.patch },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
    }
  } catch (error) {
    if (isNotFound(error)) throw notInstalled(namespace);
    throw toBerthError(error, { action: 'update the image catalog', subject: `configmap ${Catalog.configMap}`, namespace });
  }
}

export interface NodeFacts {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Every node's labels and annotations: what the agents report. */
export async function listNodeFacts(conn: Connection): Promise<NodeFacts[]> {
  const { api } = await core(conn);
  try {
    const list = await api.listNode({});
    return list.items.map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {}, annotations: n.metadata?.annotations ?? {} }));
  } catch (error) {
    throw toBerthError(error, { action: 'list nodes' });
  }
}
