// Base images by URL, streamed to disk and sha256-verified on the way; the file appears under its
// final name only when whole and correct.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../../src/errors.js';
import type { Log } from './log.js';

/** Downloads to `dest`; verifies against `sha256` when given. Returns the content's sha256. */
export async function downloadVerified(url: string, sha256: string | undefined, dest: string, log: Log, signal?: AbortSignal): Promise<string> {
  const partial = `${dest}.part`;
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    // fetch reports "fetch failed"; the reason (refused, DNS, blocked port) is its cause
    const cause = (error as Error).cause;
    const reason = cause instanceof Error ? cause.message : (error as Error).message;
    throw new BerthError('LAUNCHER', `cannot download the base image from ${url}: ${reason}`, {
      hint: 'Check that the URL is reachable from the pod, or let the node agent cache the image on this node.',
    });
  }
  if (!response.ok || !response.body) {
    throw new BerthError('LAUNCHER', `cannot download the base image from ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  const total = Number(response.headers.get('content-length')) || undefined;
  const hash = createHash('sha256');
  let done = 0;
  let lastReport = Date.now();
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
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
    await pipeline(Readable.fromWeb(response.body as never), meter, createWriteStream(partial, { mode: 0o644 }), { signal });
  } catch (error) {
    await rm(partial, { force: true });
    throw new BerthError('LAUNCHER', `downloading the base image from ${url} failed after ${mib(done)}: ${(error as Error).message}`);
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
