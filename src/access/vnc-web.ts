// `vnc --web`: a page with noVNC on 127.0.0.1, and its WebSocket carried to the VM's display. Each
// WebSocket gets its own tunnel (vnc-session.ts), as each viewer does under `vnc`, so the page can
// reconnect after a broken tunnel. Every request must name the random token of this run in its
// path; a wrong or missing one gets an empty 404, not even the page, and so does a request that
// names another host (DNS rebinding) or a WebSocket opened from another origin.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { BerthError } from '../../shared/errors.js';
import { trackTunnel } from '../kube/forward-listener.js';
import type { LocalEnd, Tunnel } from '../kube/tunnel.js';
import { LOCAL_END_GRACE_MS } from '../kube/tunnel.js';
import { packageRoot } from '../package-root.js';

/** Where the build puts the page (src/access/web/, noVNC bundled in): inside the plugin's bundle, so an installed plugin has it. */
export function webAssetsDir(root: string = packageRoot(import.meta.url)): string {
  return join(root, 'dist', 'plugin', 'web');
}

/** 192 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export type Route = { kind: 'file'; name: string } | { kind: 'redirect'; location: string } | { kind: 'socket' } | { kind: 'nothing' };

const SOCKET = 'websockify';

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The hosts a browser names when it reaches us through the URL we print. */
function localHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** What a request gets. Pure. */
export function route(method: string, rawUrl: string, headers: IncomingHttpHeaders, token: string, port: number, files: ReadonlySet<string>): Route {
  if (!localHosts(port).includes(headers.host ?? '')) return { kind: 'nothing' };
  const path = rawUrl.split('?')[0]!;
  const match = /^\/([^/]+)(\/.*)?$/.exec(path);
  if (!match || !sameToken(match[1]!, token)) return { kind: 'nothing' };
  const rest = match[2];
  const upgrade = headers.upgrade?.toLowerCase() === 'websocket';
  if (upgrade) {
    const origins = localHosts(port).map((h) => `http://${h}`);
    return method === 'GET' && rest === `/${SOCKET}` && origins.includes(headers.origin ?? '') ? { kind: 'socket' } : { kind: 'nothing' };
  }
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'nothing' };
  if (rest === undefined) return { kind: 'redirect', location: `/${token}/` };
  const name = rest === '/' ? 'index.html' : rest.slice(1);
  return files.has(name) ? { kind: 'file', name } : { kind: 'nothing' };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page's files, with the VM's name in the HTML. Source maps stay out. */
export function loadAssets(dir: string, title: string): Map<string, Buffer> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.endsWith('.map'));
  } catch {
    throw new BerthError('INTERNAL', `the web console's files are missing (${dir})`, { hint: 'run npm run build, or reinstall the plugin' });
  }
  const assets = new Map<string, Buffer>();
  for (const name of names) {
    const body = readFileSync(join(dir, name));
    assets.set(name, name === 'index.html' ? Buffer.from(body.toString('utf8').replaceAll('__BERTH_TITLE__', escapeHtml(title))) : body);
  }
  return assets;
}

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

function nothing(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Length': '0', 'Cache-Control': 'no-store' }).end();
}

export interface WebConsole {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface WebConsoleOptions {
  assets: Map<string, Buffer>;
  token: string;
  /** 0: a free port. */
  port: number;
  /** Opens one tunnel to the VM's display with `local` as its near end. */
  openTunnel(local: LocalEnd): Promise<Tunnel>;
  onTunnelError(error: BerthError): void;
}

/** Serves the page on 127.0.0.1 only: the token is the lock, and no other machine should even try it. */
export async function serveWebConsole(options: WebConsoleOptions): Promise<WebConsole> {
  const { WebSocketServer, createWebSocketStream } = await import('ws');
  const files = new Set(options.assets.keys());
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const tunnels = new Set<Tunnel>();
  const sockets = new Set<Socket | Duplex>();
  let port = options.port;
  let closing = false;

  const server = createServer((req, res) => {
    const r = route(req.method ?? '', req.url ?? '', req.headers, options.token, port, files);
    if (r.kind === 'redirect') {
      res.writeHead(302, { Location: r.location, 'Content-Length': '0', 'Referrer-Policy': 'no-referrer' }).end();
      return;
    }
    if (r.kind !== 'file') return nothing(res);
    const body = options.assets.get(r.name)!;
    res.writeHead(200, {
      'Content-Type': TYPES[r.name.split('.').at(-1) ?? ''] ?? 'application/octet-stream',
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
      // The token is in the URL: no page it links to may learn it.
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src ws://127.0.0.1:${port} ws://localhost:${port}; frame-ancestors 'none'`,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (closing || route(req.method ?? '', req.url ?? '', req.headers, options.token, port, files).kind !== 'socket') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => ws.terminate());
      stream.pause();
      const local: LocalEnd = {
        input: stream,
        output: stream,
        finish: () => {
          stream.end();
          setTimeout(() => ws.terminate(), LOCAL_END_GRACE_MS).unref();
        },
      };
      // 1011 when the tunnel cannot open: the page shows "disconnected" and tries again.
      trackTunnel(options.openTunnel(local), tunnels, () => closing, options, () => ws.close(1011, 'tunnel failed'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new BerthError('CONFLICT', `port ${options.port} on 127.0.0.1 is already in use`, { hint: 'choose another port, or leave --port out to get a free one' })
          : new BerthError('INTERNAL', `cannot listen on 127.0.0.1:${options.port}: ${error.message}`),
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const bound = server.address();
  port = typeof bound === 'object' && bound ? bound.port : options.port;
  return {
    url: `http://127.0.0.1:${port}/${options.token}/`,
    port,
    close: async () => {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const tunnel of tunnels) tunnel.close();
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
