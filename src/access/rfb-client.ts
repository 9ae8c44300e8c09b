// A minimal RFB client over any byte stream (a tunnel's local socket): handshake, one full frame in
// the Raw encoding, and, while the screen is still black, further updates until `settleMs` runs
// out, so a VM that has just started shows what it drew first rather than nothing.
import type { Duplex } from 'node:stream';
import { BerthError } from '../../shared/errors.js';
import {
  chooseSecurity,
  clientVersion,
  Encoding,
  Framebuffer,
  parseRectHeader,
  parseServerInitHead,
  SecurityType,
  ServerMessage,
  setEncodings,
  setPixelFormat,
  updateRequest,
  versionMessage,
  vncAuthResponse,
} from './rfb.js';

/** Reads exact byte counts from a stream; fails when the stream ends first. */
class ByteReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private waiting?: () => void;
  private ended = false;

  constructor(stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.size += chunk.length;
      this.waiting?.();
    });
    const end = () => {
      this.ended = true;
      this.waiting?.();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  async read(n: number): Promise<Buffer> {
    while (this.size < n) {
      if (this.ended) throw new BerthError('TUNNEL_REFUSED', "the VM's VNC server closed the connection", { hint: 'is the VM running? a display that asks for a password closes after a wrong one' });
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.size = all.length - n;
    return all.subarray(0, n);
  }
}

async function reason(reader: ByteReader): Promise<string> {
  const length = (await reader.read(4)).readUInt32BE(0);
  return (await reader.read(length)).toString('utf8');
}

export interface GrabOptions {
  /** For a display in password mode (VNC authentication); never logged. */
  password?: string;
  /** How long to keep asking for updates while the screen is all black. */
  settleMs: number;
}

/** Handshakes, asks for one full frame, and returns it (the first non-black one within settleMs). */
export async function grabFrame(stream: Duplex, options: GrabOptions): Promise<Framebuffer> {
  const reader = new ByteReader(stream);
  const version = clientVersion(await reader.read(12));
  stream.write(versionMessage(version));
  let security: number;
  if (version === '3.3') {
    security = (await reader.read(4)).readUInt32BE(0);
    if (security === 0) throw new BerthError('TUNNEL_REFUSED', `the VM's VNC server refused us: ${await reason(reader)}`);
    chooseSecurity([security], options.password !== undefined);
  } else {
    const count = (await reader.read(1))[0]!;
    if (count === 0) throw new BerthError('TUNNEL_REFUSED', `the VM's VNC server refused us: ${await reason(reader)}`);
    security = chooseSecurity([...(await reader.read(count))], options.password !== undefined);
    stream.write(Buffer.from([security]));
  }
  if (security === SecurityType.vncAuth) stream.write(vncAuthResponse(await reader.read(16), options.password!));
  if (security === SecurityType.vncAuth || version === '3.8') {
    if ((await reader.read(4)).readUInt32BE(0) !== 0) {
      const why = version === '3.8' ? await reason(reader) : 'authentication failed';
      throw new BerthError('UNAUTHORIZED', `the VM's display refused the password: ${why}`, { hint: "the password is the cloud-init Secret's vnc-password" });
    }
  }
  stream.write(Buffer.from([1])); // ClientInit: share the display with other viewers
  const head = parseServerInitHead(await reader.read(24));
  await reader.read(head.nameLength);
  const fb = new Framebuffer(head.width, head.height);
  stream.write(setPixelFormat());
  stream.write(setEncodings([Encoding.raw, Encoding.desktopSize]));
  stream.write(updateRequest(false, fb.width, fb.height));

  // A still screen sends no update to an incremental request: once settleMs is over, the last full
  // frame is the answer, even if it is black.
  let latest: Framebuffer | undefined;
  let timer: NodeJS.Timeout | undefined;
  const updates = readUpdates(stream, reader, fb, (frame) => (latest = frame));
  updates.catch(() => {});
  const settled = new Promise<Framebuffer>((resolve) => {
    timer = setTimeout(() => resolve(latest ?? updates), options.settleMs);
  });
  try {
    return await Promise.race([updates, settled]);
  } finally {
    clearTimeout(timer);
  }
}

async function readUpdates(stream: Duplex, reader: ByteReader, first: Framebuffer, onFrame: (fb: Framebuffer) => void): Promise<Framebuffer> {
  let fb = first;
  for (;;) {
    const type = (await reader.read(1))[0]!;
    if (type === ServerMessage.framebufferUpdate) {
      const rects = (await reader.read(3)).readUInt16BE(1);
      let resized = false;
      for (let i = 0; i < rects; i++) {
        const rect = parseRectHeader(await reader.read(12));
        if (rect.encoding === Encoding.desktopSize) {
          fb = new Framebuffer(rect.width, rect.height);
          resized = true;
        } else if (rect.encoding === Encoding.raw) {
          fb.paintRaw(rect, await reader.read(rect.width * rect.height * 4));
        } else {
          throw new BerthError('INTERNAL', `the VM's VNC server sent encoding ${rect.encoding}, which we did not ask for`);
        }
      }
      // A new mode means a new full frame; a black one is worth waiting for while there is time.
      if (resized) stream.write(updateRequest(false, fb.width, fb.height));
      else if (!fb.isBlack()) return fb;
      else {
        onFrame(fb.copy());
        await new Promise((resolve) => setTimeout(resolve, 250));
        stream.write(updateRequest(true, fb.width, fb.height));
      }
    } else if (type === ServerMessage.colourMapEntries) {
      const count = (await reader.read(5)).readUInt16BE(3);
      await reader.read(count * 6);
    } else if (type === ServerMessage.bell) {
      continue;
    } else if (type === ServerMessage.cutText) {
      await reader.read((await reader.read(7)).readUInt32BE(3));
    } else {
      throw new BerthError('INTERNAL', `the VM's VNC server sent message type ${type}, which we do not know`);
    }
  }
}
