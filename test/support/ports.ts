// Local TCP ports for tests: one nobody uses (for a server a test starts), whether one has been
// let go (a tunnel that must close when its command ends), and what a server on one says first.
import { connect, createServer, type AddressInfo } from 'node:net';

/**
 * A TCP port free right now, found by binding port 0 and letting it go: on 127.0.0.1, or on every
 * interface for a server that others reach (QEMU's VNC in the benchmarks).
 */
export function freePort(on: 'loopback' | 'any' = 'loopback'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, ...(on === 'loopback' ? ['127.0.0.1'] : []), () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on 127.0.0.1:port any more (we can bind it ourselves). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * What a server sends first (a banner: VNC's "RFB 003.008\n"), once `length` bytes arrived; fails
 * when the server closes before that or says nothing for `timeoutMs`, so a silent tunnel is
 * named rather than left to the test's timeout.
 */
export function readBanner(port: number, length: number, host = '127.0.0.1', timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(port, host);
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`${host}:${port} sent ${JSON.stringify(text)} and then nothing for ${timeoutMs} ms`));
    });
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.length >= length) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`${host}:${port} closed after ${JSON.stringify(text)}`)));
  });
}
