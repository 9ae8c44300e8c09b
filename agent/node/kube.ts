// Every API call the agent makes, in one place (and so exactly what rbac.yaml grants): get and
// patch its Node, get/watch the catalog ConfigMap, list VM pods on its node, create Events.
import * as k8s from '@kubernetes/client-node';
import { Labels } from '../../src/shared/keys.js';

export interface AgentKube {
  readCatalog(): Promise<Record<string, string> | null>;
  watchCatalog(onChange: () => void, onEnd: (error?: unknown) => void): Promise<{ abort(): void }>;
  listVmPodsOnNode(): Promise<k8s.V1Pod[]>;
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

/** In a pod: the service account; elsewhere: $KUBECONFIG or ~/.kube/config. */
export function connectAgentKube(options: AgentKubeOptions): AgentKube {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  let nodeUid: string | undefined;
  return {
    async readCatalog() {
      try {
        const cm = await core.readNamespacedConfigMap({ name: options.catalogName, namespace: options.catalogNamespace });
        return cm.data ?? {};
      } catch (error) {
        if ((error as { code?: number }).code === 404) return null;
        throw error;
      }
    },
    async watchCatalog(onChange, onEnd) {
      const watch = new k8s.Watch(kc);
      const controller = await watch.watch(
        `/api/v1/namespaces/${options.catalogNamespace}/configmaps`,
        { fieldSelector: `metadata.name=${options.catalogName}` },
        () => onChange(),
        (error) => onEnd(error),
      );
      return { abort: () => controller.abort() };
    },
    async listVmPodsOnNode() {
      const list = await core.listPodForAllNamespaces({ labelSelector: Labels.vm, fieldSelector: `spec.nodeName=${options.nodeName}` });
      return list.items;
    },
    async readNodeLabels() {
      const node = await core.readNode({ name: options.nodeName });
      nodeUid = node.metadata?.uid;
      return node.metadata?.labels ?? {};
    },
    async mergePatchNode(patch) {
      await core.patchNode({ name: options.nodeName, body: patch }, mergePatch);
    },
    async createNodeEvent(reason, message, type) {
      const now = new Date();
      await core.createNamespacedEvent({
        namespace: options.eventNamespace,
        body: {
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
