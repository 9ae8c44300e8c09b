// The few RFB (VNC) messages `vnc screenshot` needs, as pure builders and parsers (RFC 6143): the
// handshake with security None or VNC authentication, one pixel format (32-bit true colour), the
// Raw encoding, and the framebuffer the updates paint. QEMU's VNC server is the peer we meet.
import { createCipheriv } from 'node:crypto';
import { BerthError } from '../../shared/errors.js';

export const SecurityType = { none: 1, vncAuth: 2 } as const;
export const Encoding = { raw: 0, desktopSize: -223 } as const;
export const ServerMessage = { framebufferUpdate: 0, colourMapEntries: 1, bell: 2, cutText: 3 } as const;

/** The version we answer a server's "RFB xxx.yyy\n" with: 3.8, or 3.3 for servers older than 3.7. */
export function clientVersion(banner: Buffer): '3.3' | '3.8' {
  const match = /^RFB (\d{3})\.(\d{3})\n$/.exec(banner.toString('latin1'));
  if (!match) throw new BerthError('TUNNEL_REFUSED', 'the VM\'s display did not answer like a VNC server', { hint: 'is VNC on for this VM? see kubectl berth ls -o wide' });
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 3 || minor >= 7 ? '3.8' : '3.3';
}

export function versionMessage(version: '3.3' | '3.8'): Buffer {
  return Buffer.from(version === '3.8' ? 'RFB 003.008\n' : 'RFB 003.003\n', 'latin1');
}

/** Picks a security type from the server's list: None when offered, else VNC authentication. */
export function chooseSecurity(offered: readonly number[], havePassword: boolean): number {
  if (offered.includes(SecurityType.none)) return SecurityType.none;
  if (offered.includes(SecurityType.vncAuth)) {
    if (!havePassword) throw new BerthError('UNAUTHORIZED', 'the VM\'s display asks for a password and none was found', { hint: 'was the VM created with --vnc-password? its password is in the cloud-init Secret' });
    return SecurityType.vncAuth;
  }
  throw new BerthError('TUNNEL_REFUSED', `the VM's display offers no security type we speak (offered: ${offered.join(', ') || 'none'})`, { hint: 'kubectl berth vnc speaks None and VNC authentication' });
}

/** DES keys take each password byte bit-reversed (the RFB quirk); only the first 8 bytes count. */
export function vncAuthKey(password: string): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) {
    let b = key[i]!;
    let r = 0;
    for (let bit = 0; bit < 8; bit++) {
      r = (r << 1) | (b & 1);
      b >>= 1;
    }
    key[i] = r;
  }
  return key;
}

/**
 * The answer to a VNC-authentication challenge: the 16 bytes encrypted with single DES. OpenSSL 3
 * keeps single DES in its legacy provider only; three-key DES with the key three times is the same
 * cipher (encrypt, decrypt, encrypt with one key) and is in the default provider.
 */
export function vncAuthResponse(challenge: Buffer, password: string): Buffer {
  const key = vncAuthKey(password);
  const cipher = createCipheriv('des-ede3-ecb', Buffer.concat([key, key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(challenge), cipher.final()]);
}

export interface ServerInit {
  width: number;
  height: number;
  name: string;
}

/** The fixed part of ServerInit (24 bytes); the name's length is its last field. */
export function parseServerInitHead(head: Buffer): { width: number; height: number; nameLength: number } {
  return { width: head.readUInt16BE(0), height: head.readUInt16BE(2), nameLength: head.readUInt32BE(20) };
}

/** SetPixelFormat: 32 bits per pixel, true colour, little-endian, red at bit 16: bytes B, G, R, X. */
export function setPixelFormat(): Buffer {
  const m = Buffer.alloc(20);
  m[0] = 0;
  const pf = 4;
  m[pf] = 32; // bits per pixel
  m[pf + 1] = 24; // depth
  m[pf + 2] = 0; // little-endian
  m[pf + 3] = 1; // true colour
  m.writeUInt16BE(255, pf + 4);
  m.writeUInt16BE(255, pf + 6);
  m.writeUInt16BE(255, pf + 8);
  m[pf + 10] = 16;
  m[pf + 11] = 8;
  m[pf + 12] = 0;
  return m;
}

export function setEncodings(encodings: readonly number[]): Buffer {
  const m = Buffer.alloc(4 + 4 * encodings.length);
  m[0] = 2;
  m.writeUInt16BE(encodings.length, 2);
  encodings.forEach((e, i) => m.writeInt32BE(e, 4 + 4 * i));
  return m;
}

export function updateRequest(incremental: boolean, width: number, height: number): Buffer {
  const m = Buffer.alloc(10);
  m[0] = 3;
  m[1] = incremental ? 1 : 0;
  m.writeUInt16BE(width, 6);
  m.writeUInt16BE(height, 8);
  return m;
}

export interface RectHeader {
  x: number;
  y: number;
  width: number;
  height: number;
  encoding: number;
}

export function parseRectHeader(b: Buffer): RectHeader {
  return { x: b.readUInt16BE(0), y: b.readUInt16BE(2), width: b.readUInt16BE(4), height: b.readUInt16BE(6), encoding: b.readInt32BE(8) };
}

/** The picture the updates paint, as RGBA (what PNG encoders take). */
export class Framebuffer {
  rgba: Buffer;
  constructor(
    public width: number,
    public height: number,
  ) {
    this.rgba = Buffer.alloc(width * height * 4);
    for (let i = 3; i < this.rgba.length; i += 4) this.rgba[i] = 255;
  }

  /** Paints a Raw rectangle in our pixel format (B, G, R, X per pixel). */
  paintRaw(rect: RectHeader, pixels: Buffer): void {
    if (rect.x + rect.width > this.width || rect.y + rect.height > this.height) {
      throw new BerthError('INTERNAL', `the VNC server sent a rectangle outside the ${this.width}x${this.height} screen`);
    }
    for (let row = 0; row < rect.height; row++) {
      let from = row * rect.width * 4;
      let to = ((rect.y + row) * this.width + rect.x) * 4;
      for (let col = 0; col < rect.width; col++, from += 4, to += 4) {
        this.rgba[to] = pixels[from + 2]!;
        this.rgba[to + 1] = pixels[from + 1]!;
        this.rgba[to + 2] = pixels[from]!;
      }
    }
  }

  copy(): Framebuffer {
    const copy = new Framebuffer(this.width, this.height);
    this.rgba.copy(copy.rgba);
    return copy;
  }

  /** True while every pixel is black: a guest that has drawn nothing yet. */
  isBlack(): boolean {
    for (let i = 0; i < this.rgba.length; i += 4) {
      if (this.rgba[i] || this.rgba[i + 1] || this.rgba[i + 2]) return false;
    }
    return true;
  }
}
