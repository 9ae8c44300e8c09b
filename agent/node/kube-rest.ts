// A deliberately tiny Kubernetes REST client for the agent. @kubernetes/client-node alone takes the
// process from ~40 MB to ~125 MB resident, and the agent must stay under 100 MB while it streams a
// multi-GiB image; it only needs six calls, JSON and one watch. Credentials: the pod's service
// account in a cluster, else the current context of $KUBECONFIG / ~/.kube/config (certificates,
// token or token file; no exec plugins). The kubeconfig's YAML is parsed in a child process
// (kubeconfig-json.ts) so the parser does not stay resident.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface RestConfig {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Returns the bearer token, read fresh each time (service-account tokens rotate). */
  token?: () => string;
  insecure?: boolean;
}

export class KubeApiError extends Error {
  constructor(readonly code: number, message: string, readonly reason?: string) {
    super(message);
  }
}

function fileOrData(base: string, data: string | undefined, file: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return readFileSync(isAbsolute(file) ? file : join(base, file));
  return undefined;
}

/** The pod's service account when running in a cluster, else the kubeconfig's current context. */
export async function loadRestConfig(env: NodeJS.ProcessEnv = process.env): Promise<RestConfig> {
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) {
    const host = env.KUBERNETES_SERVICE_HOST.includes(':') ? `[${env.KUBERNETES_SERVICE_HOST}]` : env.KUBERNETES_SERVICE_HOST;
    return { server: `https://${host}:${env.KUBERNETES_SERVICE_PORT}`, ca: readFileSync(join(SA_DIR, 'ca.crt')), token: () => readFileSync(join(SA_DIR, 'token'), 'utf8').trim() };
  }
  const path = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p !== '') ?? join(homedir(), '.kube', 'config');
  const doc = JSON.parse(execFileSync(process.execPath, [fileURLToPath(new URL('./kubeconfig-json.js', import.meta.url)), path], { encoding: 'utf8' })) as any;
  const base = dirname(path);
  const context = (doc.contexts ?? []).find((c: any) => c.name === doc['current-context'])?.context;
  if (!context) throw new Error(`kubeconfig ${path}: current context '${doc['current-context'] ?? ''}' not found`);
  const cluster = (doc.clusters ?? []).find((c: any) => c.name === context.cluster)?.cluster;
  const user = (doc.users ?? []).find((u: any) => u.name === context.user)?.user ?? {};
  if (!cluster?.server) throw new Error(`kubeconfig ${path}: cluster '${context.cluster}' has no server`);
  const tokenFile = user.tokenFile ? (isAbsolute(user.tokenFile) ? user.tokenFile : join(base, user.tokenFile)) : undefined;
  return {
    server: cluster.server,
    ca: fileOrData(base, cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: fileOrData(base, user['client-certificate-data'], user['client-certificate']),
    key: fileOrData(base, user['client-key-data'], user['client-key']),
    token: user.token ? () => user.token : tokenFile ? () => readFileSync(tokenFile, 'utf8').trim() : undefined,
    insecure: cluster['insecure-skip-tls-verify'] === true,
  };
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

export class KubeRest {
  private readonly agent: http.Agent;

  constructor(private readonly config: RestConfig) {
    const tls = config.server.startsWith('https:');
    this.agent = tls
      ? new https.Agent({ keepAlive: true, maxSockets: 4, ca: config.ca, cert: config.cert, key: config.key, rejectUnauthorized: !config.insecure })
      : new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  private open(method: string, path: string, options: RequestOptions): http.ClientRequest {
    const url = new URL(path, this.config.server);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.config.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
    const lib = url.protocol === 'https:' ? https : http;
    return lib.request(url, { method, headers, agent: this.agent, timeout: options.timeoutMs ?? 30_000 });
  }

  /** One request; resolves with the parsed JSON body, rejects with KubeApiError for HTTP errors. */
  request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = this.open(method, path, options);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer from the API server in time`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = { message: text };
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(body as T);
          else reject(new KubeApiError(status, `${method} ${path}: HTTP ${status}: ${body?.message ?? text}`, body?.reason));
        });
      });
      if (options.body !== undefined) req.end(JSON.stringify(options.body));
      else req.end();
    });
  }

  /**
   * Streams watch events (one JSON object a line) until the server ends the watch, an error
   * occurs, or abort() is called; onEnd is called exactly once.
   */
  watch(path: string, query: Record<string, string | number | undefined>, onEvent: (type: string, object: any) => void, onEnd: (error?: Error) => void): { abort(): void } {
    let ended = false;
    const end = (error?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    const req = this.open('GET', path, { query: { ...query, watch: 1 }, timeoutMs: 0 });
    req.setTimeout(0);
    req.on('error', (e) => end(e));
    req.on('response', (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        res.resume();
        return end(new KubeApiError(res.statusCode ?? 0, `watch ${path}: HTTP ${res.statusCode}`));
      }
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        buffered += text;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          try {
            const event = JSON.parse(line) as { type: string; object: any };
            onEvent(event.type, event.object);
          } catch {
            /* a torn line cannot happen within one response; ignore garbage */
          }
        }
      });
      res.on('end', () => end());
      res.on('error', (e) => end(e));
    });
    req.end();
    return {
      abort: () => {
        end();
        req.destroy();
      },
    };
  }
}
