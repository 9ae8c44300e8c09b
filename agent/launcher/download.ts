// Base images by URL, streamed to disk and sha256-verified on the way; the file appears under its
// final name only when whole and correct.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../../shared/errors.js';
import type { Log } from './log.js';
import { httpGet } from '../common/http-get.js';

/** Downloads to `dest`; verifies against `sha256` when given. Returns the content's sha256. */
export interface DownloadOptions {
  signal?: AbortSignal;
  /** No byte from the server for this long fails the download instead of hanging the VM's start. */
  stallMs?: number;
}

/** Downloads to `dest`; verifies against `sha256` when given. Returns the content's sha256. */
export async function downloadVerified(url: string, sha256: string | undefined, dest: string, log: Log, options: DownloadOptions = {}): Promise<string> {
  const { signal, stallMs = 60_000 } = options;
  const partial = `${dest}.part`;
  const failed = (reason: string, hint?: string) => new BerthError('LAUNCHER', `cannot download the base image from ${url}: ${reason}`, hint ? { hint } : {});
  let response: IncomingMessage;
  try {
    response = await httpGet(url, { stallMs, signal });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw failed(`${e.code ? `${e.code}: ` : ''}${e.message}`, 'Check that the URL is reachable from the pod, or let the node agent cache the image on this node.');
  }
  if (response.statusCode !== 200) {
    response.resume();
    throw failed(`HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trimEnd());
  }
  const total = Number(response.headers['content-length']) || undefined;
  const hash = createHash('sha256');
  let done = 0;
  let lastReport = Date.now();
  let stallTimer: NodeJS.Timeout | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => response.destroy(new Error(`no data for ${stallMs / 1000} s`)), stallMs);
  };
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      armStall();
      hash.update(chunk);
      done += chunk.length;
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        log('disk', `downloaded ${mib(done)}${total ? ` of ${mib(total)}` : ''}`);
      }
      callback(null, chunk);
    },
  });
  try {
    armStall();
    await pipeline(response, meter, createWriteStream(partial, { mode: 0o644 }), { signal });
    if (!response.complete || (total !== undefined && done !== total)) throw new Error(`the connection ended after ${done} of ${total ?? '?'} bytes`);
  } catch (error) {
    await rm(partial, { force: true });
    throw new BerthError('LAUNCHER', `downloading the base image from ${url} failed after ${mib(done)}: ${(error as Error).message}`);
  } finally {
    clearTimeout(stallTimer);
  }
  const actual = hash.digest('hex');
  if (sha256 !== undefined && actual !== sha256) {
    await rm(partial, { force: true });
    throw new BerthError('LAUNCHER', `the image downloaded from ${url} is corrupt or not the expected one: sha256 ${actual}, expected ${sha256}`, {
      hint: 'Fix the image catalog entry (URL and sha256 must belong together), then restart the VM.',
    });
  }
  await rename(partial, dest);
  log('disk', `downloaded ${mib(done)} to ${dest}, sha256 ${actual}${sha256 ? ' (verified)' : ' (no checksum given: recorded, not verified)'}`);
  return actual;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
