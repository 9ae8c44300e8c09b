// Where the agent's API requests go and how they authenticate: in a pod, the pod's service
// account (what client-node's KubeConfig.loadFromCluster reads: the KUBERNETES_SERVICE_* address,
// the mounted CA and a token read fresh for every request, since it rotates); elsewhere (tests,
// development) @kubernetes/client-node's KubeConfig.loadFromDefault, the plugin's library, so every
// KUBECONFIG file, exec credential plugins, auth providers, proxies and tls-server-name work. (One
// difference from kubectl and the plugin's src/kube/kubeconfig.ts: a name repeated across
// KUBECONFIG files is an error here, where they keep the first.)
//
// client-node is loaded only outside a pod, because in the DaemonSet it costs more memory than the
// whole agent needs otherwise, for the one kind of credentials a pod has. Measured on the local
// cluster (2026-12-06, /proc/PID/status of the agent pod, one 512 MiB image cached): this agent
// 77 MB resident when idle and 98 MB at its peak; the same agent with client-node imported (not yet used) 120 MB
// idle and 139 MB at its peak, well over the 100 MB the agent is held to while it streams an image
// (BENCHMARKS.md, "image cache fill").
import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import https from 'node:https';
import { join } from 'node:path';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeCredentials {
  /** The API server's base URL. */
  server: string;
  /** Where the credentials come from, for the agent's log. */
  source: string;
  /** TLS settings, agent and headers for one request; fresh each time (tokens rotate and expire). */
  requestOptions(): Promise<RequestOptions>;
}

/** The pod's service account in a cluster, else the kubeconfig as kubectl reads it. */
export async function loadCredentials(env: NodeJS.ProcessEnv = process.env, serviceAccountDir = SERVICE_ACCOUNT_DIR): Promise<KubeCredentials> {
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return inCluster(env.KUBERNETES_SERVICE_HOST, env.KUBERNETES_SERVICE_PORT, serviceAccountDir);
  return fromKubeconfig();
}

function inCluster(host: string, port: string, dir: string): KubeCredentials {
  const ca = readFileSync(join(dir, 'ca.crt'));
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4, ca });
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    source: "the pod's service account",
    async requestOptions() {
      return { agent, headers: { Authorization: `Bearer ${readFileSync(join(dir, 'token'), 'utf8').trim()}` } };
    },
  };
}

/** KubeConfig.loadFromDefault reads $KUBECONFIG (every file in it) or ~/.kube/config. */
async function fromKubeconfig(): Promise<KubeCredentials> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const context = kc.getCurrentContext();
  if (!context) throw new Error(`the kubeconfig (${process.env.KUBECONFIG || '~/.kube/config'}) has no current context`);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new Error(`kubeconfig context '${context}' names no cluster with a server`);
  return {
    server: cluster.server,
    source: `kubeconfig context '${context}'`,
    async requestOptions() {
      const options: RequestOptions = {};
      await kc.applyToHTTPSOptions(options);
      return options;
    },
  };
}
