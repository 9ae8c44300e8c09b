// The single place commands get a client-node connection: kubeconfig (src/kube/kubeconfig.ts, the
// one reader), namespace, request timeout and typed API clients. client-node is imported lazily so
// that --help, completion and the light reader's commands never load it.
import type { KubeConfig } from '@kubernetes/client-node';
import { parseDuration } from '../../shared/duration.js';
import { usageError } from '../../shared/errors.js';
import { readKubeconfig, toClientNode, type Kubeconfig } from './kubeconfig.js';

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

/** The namespace commands act in: --namespace, else the context's, else 'default'. */
export function chosenNamespace(flags: ConnectionFlags, kubeconfig: Kubeconfig): string {
  return flags.namespace || kubeconfig.context.namespace || 'default';
}

/** Connects with client-node; `kubeconfig` is the reader's result when the caller already has it. */
export async function connect(flags: ConnectionFlags, kubeconfig?: Kubeconfig): Promise<Connection> {
  const requestTimeoutMs = parseRequestTimeout(flags['request-timeout']);
  const read = kubeconfig ?? readKubeconfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const kubeConfig = await toClientNode(read);
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
  return { kubeConfig, namespace: chosenNamespace(flags, read), namespaceWasSet: Boolean(flags.namespace), requestTimeoutMs, api };
}
