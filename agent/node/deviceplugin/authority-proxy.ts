// Why this exists: kubelet 1.20 dials device plugins with grpc-go, which sends the socket's path
// ("/var/lib/kubelet/device-plugins/x.sock") as the HTTP/2 :authority. Node's HTTP/2 layer
// (nghttp2) rejects an authority containing '/' and resets the stream with PROTOCOL_ERROR, so
// ListAndWatch never works (kubernetes/kubernetes#112597 fixed the kubelet side in 1.26).
// The plugin socket is therefore a small proxy: it copies bytes to the real gRPC server on a
// private socket and, in the client's HEADERS frames only, rewrites the :authority value to
// "localhost". HPACK stays consistent: the rewritten literal enters the server's dynamic table
// in the same position as the original would, so later indexed references still line up.
import net from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const FRAME_HEADERS = 0x1;
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;
/** HPACK static table index of :authority. */
const AUTHORITY_INDEX = 1;

function readInt(buf: Buffer, pos: number, prefixBits: number): [number, number] {
  const max = (1 << prefixBits) - 1;
  let value = buf[pos] & max;
  pos++;
  if (value < max) return [value, pos];
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated HPACK integer');
    const b = buf[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

function skipString(buf: Buffer, pos: number): number {
  const [len, after] = readInt(buf, pos, 7);
  if (after + len > buf.length) throw new Error('truncated HPACK string');
  return after + len;
}

function rawString(value: string): Buffer {
  const bytes = Buffer.from(value, 'latin1');
  if (bytes.length >= 127) throw new Error('replacement too long');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/** Returns the header block with every :authority value (by static index) replaced. */
export function rewriteAuthorityInHeaderBlock(block: Buffer, authority: string): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < block.length) {
    const start = pos;
    const b = block[pos];
    if (b & 0x80) {
      pos = readInt(block, pos, 7)[1]; // indexed field
      out.push(block.subarray(start, pos));
      continue;
    }
    if ((b & 0xe0) === 0x20) {
      pos = readInt(block, pos, 5)[1]; // dynamic table size update
      out.push(block.subarray(start, pos));
      continue;
    }
    const prefix = (b & 0xc0) === 0x40 ? 6 : 4; // with incremental indexing : without / never indexed
    const [nameIndex, afterIndex] = readInt(block, pos, prefix);
    const afterName = nameIndex === 0 ? skipString(block, afterIndex) : afterIndex;
    const afterValue = skipString(block, afterName);
    if (nameIndex === AUTHORITY_INDEX) out.push(block.subarray(start, afterName), rawString(authority));
    else out.push(block.subarray(start, afterValue));
    pos = afterValue;
  }
  return Buffer.concat(out);
}

/** Rewrites one HEADERS frame payload (padding and priority fields kept as they were). */
function rewriteHeadersPayload(payload: Buffer, flags: number, authority: string): Buffer {
  let pos = 0;
  const pad = flags & FLAG_PADDED ? payload[pos++] : 0;
  if (flags & FLAG_PRIORITY) pos += 5;
  const block = payload.subarray(pos, payload.length - pad);
  return Buffer.concat([payload.subarray(0, pos), rewriteAuthorityInHeaderBlock(block, authority), payload.subarray(payload.length - pad)]);
}

/** Client→server byte stream filter: passes the preface and every frame, rewriting complete HEADERS frames. */
export class AuthorityRewriter extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private prefaceSeen = false;

  constructor(private readonly authority = 'localhost') {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    try {
      if (!this.prefaceSeen) {
        if (this.pending.length < PREFACE.length) return callback();
        if (!this.pending.subarray(0, PREFACE.length).equals(PREFACE)) throw new Error('not an HTTP/2 client');
        this.push(this.pending.subarray(0, PREFACE.length));
        this.pending = this.pending.subarray(PREFACE.length);
        this.prefaceSeen = true;
      }
      while (this.pending.length >= 9) {
        const length = this.pending.readUIntBE(0, 3);
        if (this.pending.length < 9 + length) break;
        const type = this.pending[3];
        const flags = this.pending[4];
        const frame = this.pending.subarray(0, 9 + length);
        this.pending = this.pending.subarray(9 + length);
        if (type !== FRAME_HEADERS || !(flags & FLAG_END_HEADERS)) {
          this.push(frame);
          continue;
        }
        const payload = rewriteHeadersPayload(frame.subarray(9), flags, this.authority);
        const header = Buffer.from(frame.subarray(0, 9));
        header.writeUIntBE(payload.length, 0, 3);
        this.push(Buffer.concat([header, payload]));
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

/** Listens on `publicPath` and forwards each connection to `targetPath` through an AuthorityRewriter. */
export function startAuthorityProxy(publicPath: string, targetPath: string): Promise<net.Server> {
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPath);
    const rewriter = new AuthorityRewriter();
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    rewriter.on('error', close);
    client.pipe(rewriter).pipe(upstream);
    upstream.pipe(client);
    client.on('close', close);
    upstream.on('close', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(publicPath, () => resolve(server));
  });
}
