// Every API call the agent makes, in one place (and so exactly what rbac.yaml grants): get and
// patch its Node, get/watch the catalog ConfigMap, list VM pods on its node, get the VM pod whose
// network it builds, create Events. The catalog is read here and nowhere else on the agent's side,
// and parsed with the plugin's parser (shared/catalog.ts), so both reject the same entries with the
// same words.
import { parseCatalog, type ParsedCatalog } from '../../shared/catalog.js';
import { Labels } from '../../shared/contract.js';
import { loadCredentials } from '../common/kube-credentials.js';
import { KubeApiError, KubeRest } from '../common/kube-rest.js';

/** The parts of a Pod the agent reads. */
export interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
}
interface ContainerLike {
  name?: string;
  env?: Array<{ name: string; value?: string }>;
}

/** A VM's StatefulSet: the pod template names the base even while the VM is stopped. */
export interface StatefulSetLike {
  metadata?: { namespace?: string; name?: string };
  spec?: { template?: { spec?: PodSpecLike } };
}

export interface AgentKube {
  /** Where the credentials came from (the pod's service account, a kubeconfig context). */
  readonly credentialSource: string;
  /** The catalog, parsed; null when its ConfigMap does not exist. */
  readCatalog(): Promise<ParsedCatalog | null>;
  watchCatalog(onChange: () => void, onEnd: (error?: unknown) => void): Promise<{ abort(): void }>;
  /** Every VM's StatefulSet in the cluster, running or stopped. */
  listVmStatefulSets(): Promise<StatefulSetLike[]>;
  readNodeLabels(): Promise<Record<string, string>>;
  mergePatchNode(patch: object): Promise<void>;
  createNodeEvent(reason: string, message: string, type: 'Warning' | 'Normal'): Promise<void>;
}

export interface AgentKubeOptions {
  nodeName: string;
  catalogNamespace: string;
  catalogName: string;
  eventNamespace: string;
}

/** In a pod: the service account; elsewhere: the kubeconfig, as kubectl reads it. */
export async function connectAgentKube(options: AgentKubeOptions): Promise<AgentKube> {
  const credentials = await loadCredentials();
  const api = new KubeRest(credentials);
  const nodePath = `/api/v1/nodes/${encodeURIComponent(options.nodeName)}`;
  const configMaps = `/api/v1/namespaces/${encodeURIComponent(options.catalogNamespace)}/configmaps`;
  let nodeUid: string | undefined;
  return {
    credentialSource: credentials.source,
    async readCatalog() {
      try {
        const cm = await api.request<{ data?: Record<string, string> }>('GET', `${configMaps}/${encodeURIComponent(options.catalogName)}`);
        return parseCatalog(cm.data ?? {});
      } catch (error) {
        if (error instanceof KubeApiError && error.code === 404) return null;
        throw error;
      }
    },
    async watchCatalog(onChange, onEnd) {
      return api.watch(configMaps, { fieldSelector: `metadata.name=${options.catalogName}`, timeoutSeconds: 300 }, () => onChange(), onEnd);
    },
    async listVmStatefulSets() {
      const list = await api.request<{ items: StatefulSetLike[] }>('GET', '/apis/apps/v1/statefulsets', { query: { labelSelector: Labels.vm } });
      return list.items;
    },
    async readNodeLabels() {
      const node = await api.request<{ metadata?: { uid?: string; labels?: Record<string, string> } }>('GET', nodePath);
      nodeUid = node.metadata?.uid;
      return node.metadata?.labels ?? {};
    },
    async mergePatchNode(patch) {
      await api.request('PATCH', nodePath, { body: patch, contentType: 'application/merge-patch+json' });
    },
    async createNodeEvent(reason, message, type) {
      const now = new Date().toISOString();
      await api.request('POST', `/api/v1/namespaces/${encodeURIComponent(options.eventNamespace)}/events`, {
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { generateName: `${options.nodeName}.berth-`, namespace: options.eventNamespace },
          involvedObject: { kind: 'Node', name: options.nodeName, uid: nodeUid ?? options.nodeName, apiVersion: 'v1' },
          reason,
          message: message.slice(0, 1000),
          type,
          source: { component: 'berth-agent', host: options.nodeName },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    },
  };
}
