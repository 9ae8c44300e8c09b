// The edge of completion that talks to the cluster: VM, image, node and namespace names, plus
// context names from the kubeconfig reader. client-node loads only on this path.
import { readMergedKubeconfig } from '../kube/kubeconfig.js';
import { allVmsSelector, isBerthVm } from '../core/vm-labels.js';
import { parseCatalog } from '../../shared/catalog.js';
import { readCatalog } from '../images/catalog-api.js';
import type { ClusterSource, ConnectionChoice } from './plan.js';
import type { Candidate } from './protocol.js';

/** A <TAB> must never hang the shell: without --request-timeout, give the cluster this long. */
export const COMPLETION_REQUEST_TIMEOUT = '5s';

function contextNames(connection: ConnectionChoice): Candidate[] {
  // An unreadable kubeconfig throws, and completion then offers nothing rather than an error.
  return readMergedKubeconfig({ kubeconfig: connection.kubeconfig }).contexts.map((c) => ({
    value: c.name,
    ...(typeof c.fields.cluster === 'string' ? { description: `cluster ${c.fields.cluster}` } : {}),
  }));
}

function vmState(sts: { spec?: { replicas?: number }; status?: { readyReplicas?: number } }): string {
  if (sts.spec?.replicas === 0) return 'stopped';
  return (sts.status?.readyReplicas ?? 0) > 0 ? 'running' : 'starting';
}

export async function clusterValues(source: ClusterSource, choice: ConnectionChoice): Promise<Candidate[]> {
  if (source === 'context') return contextNames(choice);
  const { connect } = await import('../kube/connect.js');
  const timeout = choice['request-timeout'] && choice['request-timeout'] !== '0' ? choice['request-timeout'] : COMPLETION_REQUEST_TIMEOUT;
  const conn = await connect({ ...choice, 'request-timeout': timeout });
  const k8s = await import('@kubernetes/client-node');
  switch (source) {
    case 'vm':
    case 'vm-path': {
      // Exactly what the commands accept: StatefulSets kubectl berth made, named after their VM.
      const apps = await conn.api(k8s.AppsV1Api);
      const list = await apps.listNamespacedStatefulSet({ namespace: conn.namespace, labelSelector: allVmsSelector() });
      return list.items
        .filter((s) => isBerthVm(s.metadata?.labels))
        .map((s) => ({ value: s.metadata?.name ?? '', description: vmState(s) }))
        .filter((c) => c.value !== '');
    }
    case 'vm-qualified': {
      const apps = await conn.api(k8s.AppsV1Api);
      const list = await apps.listStatefulSetForAllNamespaces({ labelSelector: allVmsSelector() });
      return list.items
        .filter((s) => isBerthVm(s.metadata?.labels) && s.metadata?.name && s.metadata.namespace)
        .map((s) => ({ value: `${s.metadata!.name}.${s.metadata!.namespace}`, description: vmState(s) }));
    }
    case 'image': {
      const data = (await readCatalog(conn)) ?? {};
      const { entries } = parseCatalog(data);
      return Object.keys(data).map((name) => {
        const url = entries.get(name)?.url;
        return { value: name, ...(url ? { description: url } : {}) };
      });
    }
    case 'node':
    case 'node-selector': {
      const core = await conn.api(k8s.CoreV1Api);
      const nodes = await core.listNode({});
      const names = nodes.items.map((n) => n.metadata?.name ?? '').filter((n) => n !== '');
      return source === 'node' ? names.map((value) => ({ value })) : names.map((n) => ({ value: `kubernetes.io/hostname=${n}` }));
    }
    case 'storage-class': {
      const storage = await conn.api(k8s.StorageV1Api);
      const list = await storage.listStorageClass({});
      return list.items.map((c) => ({ value: c.metadata?.name ?? '', ...(c.provisioner ? { description: c.provisioner } : {}) })).filter((c) => c.value !== '');
    }
    case 'namespace': {
      const core = await conn.api(k8s.CoreV1Api);
      const list = await core.listNamespace({});
      return list.items.map((n) => ({ value: n.metadata?.name ?? '' })).filter((c) => c.value !== '');
    }
  }
}
