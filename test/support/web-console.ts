// Looking at `vnc --web`'s page from a test: what its canvas shows, and raw HTTP requests that a
// browser would not send (another Host, a WebSocket from another origin, paths with '..').
import { request } from 'node:http';
import type { Page } from 'playwright-core';

export interface CanvasLook {
  width: number;
  height: number;
  /** Pixels that are not black. */
  lit: number;
}

// The tests compile without the DOM's types, so what runs in the page is written as source text.

/** The size of noVNC's canvas and how many of its pixels are not black. */
export async function canvasOf(page: Page): Promise<CanvasLook> {
  await page.waitForSelector('#screen canvas');
  return page.evaluate(`(() => {
    const canvas = document.querySelector('#screen canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] || data[i + 1] || data[i + 2]) lit++;
    return { width: canvas.width, height: canvas.height, lit };
  })()`);
}

/** Waits until the page's status line matches `pattern`. A locator, not waitForFunction: the page's CSP forbids eval. */
export async function waitForStatus(page: Page, pattern: RegExp, timeout = 30_000): Promise<void> {
  await page.locator('#status', { hasText: pattern }).waitFor({ timeout });
}

export interface RawOptions {
  host?: string;
  upgrade?: boolean;
  origin?: string;
}

/** GET `path` as written (no normalising), with the Host and WebSocket headers given. */
export function fetchRaw(port: string | number, path: string, options: RawOptions = {}): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { Host: options.host ?? `127.0.0.1:${port}` };
  if (options.upgrade) Object.assign(headers, { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' });
  if (options.origin) headers.Origin = options.origin;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(port), path, headers, setHost: false });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}
