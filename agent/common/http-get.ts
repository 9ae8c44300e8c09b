// A plain GET over node:http(s) that follows redirects and gives up when the server does not answer.
// The agent's cache and the launcher's fallback download both stream large images through it. We do
// not use fetch for these: its HTTP client (undici) has crashed the whole process with an internal
// assertion (`assert(!this.paused)`) when a server closed the connection while the body was held
// back by a slow disk — an uncatchable failure where we need a reportable one.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/** The server sent no response headers within the allowed time. */
export class HttpStallError extends Error {}
/** More redirects than allowed, or a redirect loop. */
export class HttpRedirectError extends Error {}

export interface HttpGetOptions {
  headers?: Record<string, string>;
  /** No response for this long fails the request with HttpStallError. */
  stallMs: number;
  signal?: AbortSignal;
  maxRedirects?: number;
}

/** Resolves with the response (any status but 3xx with a Location); the caller consumes the body. */
export function httpGet(url: string, options: HttpGetOptions): Promise<IncomingMessage> {
  return get(url, options, options.maxRedirects ?? 5);
}

function get(url: string, options: HttpGetOptions, redirectsLeft: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    // The scheme is case-insensitive (HTTPS://... is https), so it is read from the parsed URL.
    const lib = new URL(url).protocol === 'https:' ? https : http;
    const req = lib.get(url, { headers: options.headers ?? {}, signal: options.signal }, (res) => {
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (redirectsLeft === 0) return reject(new HttpRedirectError(`too many redirects at ${url}`));
        return resolve(get(new URL(location, url).toString(), options, redirectsLeft - 1));
      }
      // From here the caller's own stall timer watches the body; two timers on one socket would
      // race, and the loser would report a stall as a dropped connection.
      req.setTimeout(0);
      resolve(res);
    });
    req.setTimeout(options.stallMs, () => req.destroy(new HttpStallError(`no answer from the server within ${Math.round(options.stallMs / 1000)} s`)));
    req.on('error', reject);
  });
}
