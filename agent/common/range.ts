// Reading an HTTP answer to a (possibly ranged) GET: where the body starts in the file and how big
// the whole file is. Pure, so every server quirk has a unit test.

export interface RangeOutcome {
  /** 'append': body continues the partial file; 'restart': body is the whole file; 'complete': nothing left to fetch. */
  action: 'append' | 'restart' | 'complete';
  /** Total size of the file when the server told us. */
  total?: number;
}

export class HttpStatusError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Decides what to do with a response to `Range: bytes=<have>-` (or a plain GET when have is 0). */
export function interpretResponse(status: number, have: number, headers: { 'content-length'?: string; 'content-range'?: string }): RangeOutcome {
  const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : undefined;
  if (status === 200) return { action: 'restart', total: Number.isFinite(length) ? length : undefined };
  if (status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headers['content-range'] ?? '');
    if (!m) throw new HttpStatusError(206, `the server answered a range request without a usable Content-Range ('${headers['content-range'] ?? ''}')`);
    const start = Number(m[1]);
    const total = m[3] === '*' ? undefined : Number(m[3]);
    if (start !== have) throw new HttpStatusError(206, `the server resumed at byte ${start}, not at ${have}`);
    return { action: 'append', total };
  }
  if (status === 416 && have > 0) {
    const m = /^bytes \*\/(\d+)$/.exec(headers['content-range'] ?? '');
    const total = m ? Number(m[1]) : undefined;
    if (total === have) return { action: 'complete', total };
    throw new HttpStatusError(416, `the server cannot resume at byte ${have}${total !== undefined ? ` (the file has ${total} bytes)` : ''}`);
  }
  throw new HttpStatusError(status, `the server answered HTTP ${status}`);
}

/**
 * What identifies one version of the file at a URL, as the server gave it: a strong ETag, else its
 * Last-Modified date. A partial file is resumed only with `If-Range: <validator>`, so a server
 * whose file changed sends the whole new file (200) instead of the new file's tail after the old
 * file's head. A weak ETag (W/"…") may not be used in If-Range, so it does not count.
 */
export interface Validator {
  etag?: string;
  lastModified?: string;
}

export function validatorOf(headers: { etag?: string; 'last-modified'?: string }): Validator | undefined {
  const etag = headers.etag?.trim();
  if (etag && !etag.startsWith('W/')) return { etag };
  const lastModified = headers['last-modified']?.trim();
  return lastModified ? { lastModified } : undefined;
}

/** The If-Range header value for a validator. */
export function ifRange(v: Validator): string {
  return v.etag ?? v.lastModified!;
}
