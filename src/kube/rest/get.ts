// One GET against the API server with node:https, the JSON body parsed (or, for a log, the text).
// Failures keep the shapes
// toBerthError already understands: an HTTP status becomes { code, body } like client-node's
// ApiException, and network errors are Node's own (ECONNREFUSED, certificate errors, AbortError).
import { request } from 'node:https';
import type { RestTarget } from './plan.js';

export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(`HTTP ${code}`);
    this.name = 'ApiStatusError';
  }
}

/** The URL of `path` (e.g. /api/v1/pods) with its query, on the target's server. Pure. */
export function apiUrl(target: RestTarget, path: string, query: Record<string, string | undefined> = {}): URL {
  const url = new URL(`${target.server}${path}`);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  return url;
}

/** GETs `url` and parses its JSON; timeoutMs 0 waits as long as the server takes. */
export async function getJson(target: RestTarget, url: URL, timeoutMs: number): Promise<unknown> {
  const body = await getText(target, url, timeoutMs, 'application/json');
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`the server answered ${url.pathname} with a body that is not JSON`);
  }
}

/**
 * GETs `url` and returns its body as text (a pod's log is plain text). The API server answers 406
 * to `Accept: text/plain` even there, so the default is client-go's.
 */
export function getText(target: RestTarget, url: URL, timeoutMs: number, accept = 'application/json, */*'): Promise<string> {
  const signal = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
  return new Promise((resolve, reject) => {
    // A timeout that strikes mid-body is still a timeout, whichever side reports it first.
    const fail = (error: Error) => reject(signal?.aborted ? signal.reason : error);
    const req = request(
      url,
      {
        method: 'GET',
        headers: { Accept: accept, 'User-Agent': 'kubectl-berth', ...target.headers },
        ...target.tls,
        // One connection per request, closed after it: nothing keeps the process alive afterwards.
        agent: false,
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(new ApiStatusError(status, body));
          resolve(body);
        });
      },
    );
    req.on('error', fail);
    req.end();
  });
}
