// The tests' HTTP server for images: serves in-memory images with Range support and validators (a
// strong ETag from the content and a Last-Modified from when it was served; If-Range and
// If-None-Match are honoured), and, on request, misbehaves (404, stall, cut the connection, ignore
// Range, hold at set byte positions, change the file after a cut, send slowly), recording every
// request so tests can prove a download resumed instead of starting over; and serves image files
// from disk (a test guest) to the node's pods when it listens on 0.0.0.0.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ServeMode =
  | { kind: 'ok' }
  | { kind: 'ignore-range' }
  /** No Content-Length (chunked transfer): the client cannot know the size in advance. */
  | { kind: 'chunked' }
  /** The whole body, then the server closes the connection (as busybox httpd and HTTP/1.0 servers do). */
  | { kind: 'close' }
  | { kind: 'stall-after'; bytes: number }
  /** Cuts every response after `bytes`; with `then`, the file is `then` (served normally) from the first cut on. */
  | { kind: 'cut-after'; bytes: number; then?: Buffer }
  /** As 'ok', but with no ETag or Last-Modified: nothing identifies the file's version. */
  | { kind: 'no-validators' }
  | { kind: 'status'; status: number }
  /**
   * Sends the file up to the first of `offsets` (byte positions in the whole file, ascending) that
   * lies after where the request starts, then holds the response open without sending more; from
   * the last offset on it sends the rest. So every download, and every resumed download, stops at
   * a position the test knows, and stays there until the client goes away.
   */
  | { kind: 'hold-at'; offsets: number[] }
  /** The whole body, paced at about this many bytes a second: a slow link, so a download takes a while. */
  | { kind: 'throttle'; bytesPerSecond: number };

export interface SeenRequest {
  path: string;
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
  status: number;
  bytesSent: number;
  /** hold-at: the byte position in the file where this response is held (it sends nothing more). */
  heldAt?: number;
}

export interface ServedFile {
  data: Buffer;
  sha256: string;
  mode: ServeMode;
  /** Strong: the content's sha256, so a changed file has another. */
  etag: string;
  lastModified: string;
}

/** A file on disk, streamed as it is (too big to hold in memory: a Debian guest). */
interface DiskFile {
  file: string;
  size: number;
}

export function randomImage(bytes: number): { data: Buffer; sha256: string } {
  const data = randomBytes(bytes);
  return { data, sha256: createHash('sha256').update(data).digest('hex') };
}

export class ImageServer {
  readonly files = new Map<string, ServedFile>();
  private readonly diskFiles = new Map<string, DiskFile>();
  readonly requests: SeenRequest[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  private sockets = new Set<import('node:net').Socket>();

  /** `host` 0.0.0.0 lets the node's pods (the agent, a VM pod) reach it at the node's address. */
  constructor(private readonly host = '127.0.0.1') {}

  async start(): Promise<void> {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server.listen(0, this.host, resolve));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The address on this machine; pods use the node's address with `port`. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Serves `data` at `path`; serving other data at the same path changes the file (new ETag). */
  serve(path: string, data: Buffer, mode: ServeMode = { kind: 'ok' }): ServedFile {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const file = { data, sha256, mode, etag: `"${sha256.slice(0, 32)}"`, lastModified: new Date().toUTCString() };
    this.files.set(path, file);
    return file;
  }

  serveFile(path: string, file: string): void {
    this.diskFiles.set(path, { file, size: statSync(file).size });
  }

  requestsFor(path: string): SeenRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  bytesSentFor(path: string): number {
    return this.requestsFor(path).reduce((n, r) => n + r.bytesSent, 0);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const file = this.files.get(path);
    const header = (name: string) => req.headers[name] as string | undefined;
    const seen: SeenRequest = { path, range: header('range'), ifRange: header('if-range'), ifNoneMatch: header('if-none-match'), status: 0, bytesSent: 0 };
    this.requests.push(seen);
    const onDisk = this.diskFiles.get(path);
    if (onDisk) {
      seen.status = 200;
      seen.bytesSent = onDisk.size;
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': onDisk.size });
      if (req.method === 'HEAD') res.end();
      else createReadStream(onDisk.file).pipe(res);
      return;
    }
    if (!file) {
      seen.status = 404;
      res.writeHead(404).end('not found');
      return;
    }
    const { data, mode } = file;
    if (mode.kind === 'status') {
      seen.status = mode.status;
      res.writeHead(mode.status).end();
      return;
    }
    if (mode.kind === 'close') res.setHeader('Connection', 'close');
    const validators = mode.kind !== 'no-validators';
    if (validators) {
      res.setHeader('ETag', file.etag);
      res.setHeader('Last-Modified', file.lastModified);
    }
    if (validators && seen.ifNoneMatch === file.etag) {
      seen.status = 304;
      res.writeHead(304).end();
      return;
    }
    // If-Range: the range only for the version the client names; for any other, the whole file.
    const sameVersion = seen.ifRange === undefined || (validators && (seen.ifRange === file.etag || seen.ifRange === file.lastModified));
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && sameVersion && mode.kind !== 'ignore-range' && mode.kind !== 'chunked') {
      start = Number(m[1]);
      if (start >= data.length) {
        seen.status = 416;
        res.writeHead(416, { 'Content-Range': `bytes */${data.length}` }).end();
        return;
      }
      seen.status = 206;
      res.writeHead(206, { 'Content-Length': data.length - start, 'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}`, 'Accept-Ranges': 'bytes' });
    } else {
      seen.status = 200;
      res.writeHead(200, mode.kind === 'chunked' ? {} : { 'Content-Length': data.length, 'Accept-Ranges': 'bytes' });
    }
    const body = data.subarray(start);
    const holdAt = mode.kind === 'hold-at' ? mode.offsets.find((offset) => offset > start) : undefined;
    const stopAfter = holdAt !== undefined ? holdAt - start : mode.kind === 'stall-after' || mode.kind === 'cut-after' ? mode.bytes : undefined;
    if (stopAfter !== undefined) {
      const part = body.subarray(0, stopAfter);
      // cut-after: the connection goes once the part is handed to the kernel, not after a guess at how long that takes.
      res.write(part, () => (mode.kind === 'cut-after' ? res.socket?.destroy() : undefined));
      if (mode.kind === 'cut-after' && mode.then) this.serve(path, mode.then);
      seen.bytesSent += part.length;
      if (holdAt !== undefined) seen.heldAt = holdAt;
      return; // stall or hold: never end
    }
    if (mode.kind === 'throttle') {
      const TICK_MS = 100;
      const chunk = Math.max(1, Math.floor((mode.bytesPerSecond * TICK_MS) / 1000));
      let offset = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        const part = body.subarray(offset, offset + chunk);
        offset += part.length;
        seen.bytesSent += part.length;
        if (offset < body.length) return void res.write(part);
        clearInterval(timer);
        res.end(part);
      }, TICK_MS);
      return;
    }
    seen.bytesSent += body.length;
    res.end(body);
  }
}
