// Local TCP ports for tests: one nobody uses (for a server a test starts), and whether one has
// been let go (a tunnel that must close when its command ends).
import { createServer, type AddressInfo } from 'node:net';

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
