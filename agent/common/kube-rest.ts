// The transport to the API server of the node agent and of a launcher that stops its own VM
// (--on-guest-shutdown stop, agent/launcher/guest-shutdown.ts): JSON requests and one watch over
// node:http(s), with the TLS settings and credentials of kube-credentials.ts. The agent needs six calls (kube.ts); this
// transport instead of client-node's generated API keeps the DaemonSet's memory small (see
// kube-credentials.ts for the figures).
import http from 'node:http';
import https from 'node:https';
import type { KubeCredentials } from './kube-credentials.js';

export class KubeApiError extends Error {
  constructor(readonly code: number, message: string, readonly reason?: string) {
    super(message);
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

export class KubeRest {
  constructor(private readonly credentials: KubeCredentials) {}

  private async open(method: string, path: string, options: RequestOptions): Promise<http.ClientRequest> {
    const url = new URL(path, this.credentials.server);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const base = await this.credentials.requestOptions();
    const headers: Record<string, string> = { ...(base.headers as Record<string, string> | undefined), Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
    const lib = url.protocol === 'https:' ? https : http;
    return lib.request(url, { ...base, method, headers, timeout: options.timeoutMs ?? 30_000 });
  }

  /** One request; resolves with the parsed JSON body, rejects with KubeApiError for HTTP errors. */
  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const req = await this.open(method, path, options);
    return new Promise((resolve, reject) => {
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
  async watch(path: string, query: Record<string, string | number | undefined>, onEvent: (type: string, object: any) => void, onEnd: (error?: Error) => void): Promise<{ abort(): void }> {
    let ended = false;
    const end = (error?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    const req = await this.open('GET', path, { query: { ...query, watch: 1 }, timeoutMs: 0 });
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
