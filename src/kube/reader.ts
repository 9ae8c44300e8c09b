// The light reader: a read-only view of the cluster for commands that only read and tunnel (ls,
// ssh, scp, vnc, port-forward and ssh's ProxyCommand): plain HTTPS GETs and a `ws` port-forward
// when the kubeconfig's context allows it, and client-node otherwise (exec plugins, auth providers,
// proxies), so nothing that works through client-node stops working. It stays because loading
// client-node costs more than the whole start-up budget of ls, bundled or not (BENCHMARKS.md, ls at
// scale). Both clients get their configuration from the one kubeconfig reader (kubeconfig.ts).
import { readFileSync } from 'node:fs';
import { chosenNamespace, parseRequestTimeout, type Connection, type ConnectionFlags } from './connect.js';
import { isNotFound } from './errors.js';
import { readKubeconfig, type Kubeconfig } from './kubeconfig.js';
import { ApiStatusError, apiUrl, getJson, getText } from './rest/get.js';
import { planRest, type RestTarget } from './rest/plan.js';
import type { TunnelEndpoint } from './tunnel.js';

export type ListedKind = 'statefulsets' | 'pods' | 'events' | 'secrets' | 'serviceaccounts';

export interface ClusterReader {
  /** The namespace to act in: --namespace, else the context's, else 'default'. */
  namespace: string;
  namespaceWasSet: boolean;
  /** The API server's address, for error messages. */
  server: string;
  /** The kubeconfig's name of the cluster (per-cluster files such as ssh's known_hosts). */
  clusterName: string | undefined;
  /** Which client serves the requests, and why client-node when it is. */
  via: { client: 'https' } | { client: 'client-node'; reason: string };
  /** Objects of one kind in `namespace`, or in every namespace when it is undefined. */
  list(kind: ListedKind, namespace: string | undefined, selectors?: Selectors): Promise<unknown[]>;
  /** One object, or undefined when there is none (404). */
  read(kind: ListedKind, namespace: string, name: string): Promise<unknown | undefined>;
  /** The last `tailLines` lines of a pod's container log. */
  logTail(namespace: string, pod: string, container: string, tailLines: number): Promise<string>;
  /** Opens port-forward streams with the same client. */
  tunnels(): Promise<TunnelEndpoint>;
}

export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

const API_PREFIX: Record<ListedKind, string> = { statefulsets: '/apis/apps/v1', pods: '/api/v1', events: '/api/v1', secrets: '/api/v1', serviceaccounts: '/api/v1' };

/** The collection path of a kind, namespaced or across all namespaces. Pure. */
export function listPath(kind: ListedKind, namespace: string | undefined): string {
  return `${API_PREFIX[kind]}${namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`}/${kind}`;
}

function httpsReader(target: RestTarget, namespace: string, namespaceWasSet: boolean, clusterName: string, timeoutMs: number): ClusterReader {
  return {
    namespace,
    namespaceWasSet,
    server: target.server,
    clusterName,
    via: { client: 'https' },
    async list(kind, ns, selectors = {}) {
      const body = (await getJson(target, apiUrl(target, listPath(kind, ns), { ...selectors }), timeoutMs)) as { items?: unknown[] };
      return body.items ?? [];
    },
    async read(kind, ns, name) {
      try {
        return await getJson(target, apiUrl(target, `${listPath(kind, ns)}/${encodeURIComponent(name)}`), timeoutMs);
      } catch (error) {
        if (error instanceof ApiStatusError && error.code === 404) return undefined;
        throw error;
      }
    },
    logTail(ns, pod, container, tailLines) {
      const path = `${listPath('pods', ns)}/${encodeURIComponent(pod)}/log`;
      return getText(target, apiUrl(target, path, { container, tailLines: String(tailLines) }), timeoutMs);
    },
    async tunnels() {
      const { httpsEndpoint } = await import('./rest/port-forward.js');
      return httpsEndpoint(target);
    },
  };
}

/** A reader over a client-node connection a command already holds (console needs one for attach). */
export async function clientNodeReader(conn: Connection, reason: string): Promise<ClusterReader> {
  const { kubeApis } = await import('./vm-objects.js');
  const { apps, core } = await kubeApis(conn);
  return {
    namespace: conn.namespace,
    namespaceWasSet: conn.namespaceWasSet,
    server: conn.kubeConfig.getCurrentCluster()?.server ?? '',
    clusterName: conn.kubeConfig.getCurrentCluster()?.name,
    via: { client: 'client-node', reason },
    async list(kind, ns, selectors = {}) {
      if (kind === 'statefulsets') {
        return (ns === undefined ? await apps.listStatefulSetForAllNamespaces(selectors) : await apps.listNamespacedStatefulSet({ namespace: ns, ...selectors })).items;
      }
      if (kind === 'events') {
        return (ns === undefined ? await core.listEventForAllNamespaces(selectors) : await core.listNamespacedEvent({ namespace: ns, ...selectors })).items;
      }
      if (kind === 'secrets') {
        return (ns === undefined ? await core.listSecretForAllNamespaces(selectors) : await core.listNamespacedSecret({ namespace: ns, ...selectors })).items;
      }
      if (kind === 'serviceaccounts') {
        return (ns === undefined ? await core.listServiceAccountForAllNamespaces(selectors) : await core.listNamespacedServiceAccount({ namespace: ns, ...selectors })).items;
      }
      return (ns === undefined ? await core.listPodForAllNamespaces(selectors) : await core.listNamespacedPod({ namespace: ns, ...selectors })).items;
    },
    async read(kind, namespace, name) {
      try {
        if (kind === 'statefulsets') return await apps.readNamespacedStatefulSet({ name, namespace });
        if (kind === 'secrets') return await core.readNamespacedSecret({ name, namespace });
        if (kind === 'serviceaccounts') return await core.readNamespacedServiceAccount({ name, namespace });
        return kind === 'events' ? await core.readNamespacedEvent({ name, namespace }) : await core.readNamespacedPod({ name, namespace });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    logTail(namespace, name, container, tailLines) {
      return core.readNamespacedPodLog({ name, namespace, container, tailLines });
    },
    async tunnels() {
      const { clientNodeEndpoint } = await import('./tunnel.js');
      return clientNodeEndpoint(conn.kubeConfig);
    },
  };
}

/** Opens a reader for the flags; `connect` opens the client-node connection to fall back on. */
export async function openReader(flags: ConnectionFlags, connect: (kubeconfig: Kubeconfig) => Promise<Connection>): Promise<ClusterReader> {
  const timeoutMs = parseRequestTimeout(flags['request-timeout']);
  const kubeconfig = readKubeconfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const plan = planRest(kubeconfig.context, (path) => readFileSync(path));
  if (!plan.ok) return clientNodeReader(await connect(kubeconfig), plan.reason);
  return httpsReader(plan.target, chosenNamespace(flags, kubeconfig), Boolean(flags.namespace), kubeconfig.context.cluster.name, timeoutMs);
}
