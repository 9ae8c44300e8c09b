// The single place commands get a cluster connection: kubeconfig, namespace, request timeout and
// typed API clients. client-node is imported lazily so that --help and completion stay fast.
import type { KubeConfig } from '@kubernetes/client-node';
import { parseDuration } from '../../shared/duration.js';
import { usageError } from '../../shared/errors.js';
import { loadKubeConfig } from './kubeconfig.js';

export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  'request-timeout'?: string;
}

export interface Connection {
  kubeConfig: KubeConfig;
  /** The namespace to act in: --namespace, else the context's, else 'default'. */
  namespace: string;
  /** Whether the user asked for a namespace explicitly. */
  namespaceWasSet: boolean;
  /** Per-request timeout in milliseconds, 0 for none. */
  requestTimeoutMs: number;
  /** A typed API client that honours --request-timeout. */
  api<T>(apiClass: new (config: any) => T): Promise<T>;
}

/** Parses kubectl's --request-timeout: '0' (none), a bare number of seconds, or 1h2m3s / 500ms. */
export function parseRequestTimeout(value: string | undefined): number {
  if (value === undefined || value === '' || value === '0') return 0;
  const parsed = parseDuration(value);
  if (!parsed.ok) throw usageError(`invalid --request-timeout '${value}'`, 'use a duration such as 30s, 1m or 500ms, or 0 for none');
  return parsed.ms;
}

export async function connect(flags: ConnectionFlags): Promise<Connection> {
  const requestTimeoutMs = parseRequestTimeout(flags['request-timeout']);
  const kubeConfig = await loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  const namespace = flags.namespace || contextNamespace || 'default';
  const client = await import('@kubernetes/client-node');
  const api = async <T>(apiClass: new (config: any) => T): Promise<T> => {
    const cluster = kubeConfig.getCurrentCluster()!;
    const middleware = requestTimeoutMs > 0
      ? [{
          pre: async (ctx: any) => {
            ctx.setSignal(AbortSignal.timeout(requestTimeoutMs));
            return ctx;
          },
          post: async (ctx: any) => ctx,
        }]
      : [];
    const config = client.createConfiguration({
      baseServer: new client.ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      promiseMiddleware: middleware,
    });
    return new apiClass(config);
  };
  return { kubeConfig, namespace, namespaceWasSet: Boolean(flags.namespace), requestTimeoutMs, api };
}
