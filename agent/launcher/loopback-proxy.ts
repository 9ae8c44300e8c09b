// kubectl port-forward delivers connections to the pod's 127.0.0.1, which the DNAT never sees
// (and routing it to the VM would need the route_localnet sysctl). So the launcher listens on
// 127.0.0.1 for the VM's ports and relays each connection to the VM.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Log } from './log.js';

export interface LoopbackProxy {
  ports: number[];
  close(): Promise<void>;
}

export async function startLoopbackProxy(ports: number[], vmIp: string, log: Log): Promise<LoopbackProxy> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const listening: number[] = [];
  for (const port of ports) {
    // half-open both ways: a client that closes its sending side still gets the whole answer
    const server = createServer({ allowHalfOpen: true }, (client) => {
      const upstream = createConnection({ host: vmIp, port, allowHalfOpen: true });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port }, resolve);
      });
      servers.push(server);
      listening.push(port);
    } catch (error) {
      log('port-forward', `warning: cannot listen on 127.0.0.1:${port} (${(error as NodeJS.ErrnoException).code}); port-forward to ${port} will not reach the VM`);
    }
  }
  if (listening.length > 0) log('port-forward', `127.0.0.1:${listening.join(',')} relayed to the VM (${vmIp})`);
  return {
    ports: listening,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
