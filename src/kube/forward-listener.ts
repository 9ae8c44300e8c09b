// Local listeners for port-forward and vnc: every accepted TCP connection gets its own tunnel
// (src/kube/tunnel.ts), so several clients can be connected at once and one failing leaves the
// others alone. Closing the listener tears down every tunnel, including ones still opening.
import { createServer, type Socket } from 'node:net';
import { BerthError, usageError } from '../../shared/errors.js';
import { LOCAL_END_GRACE_MS, openPortForward, type LocalEnd, type PodPort, type Tunnel, type TunnelEndpoint } from './tunnel.js';

/** A TCP connection as the local end of a tunnel. */
export function socketEnd(socket: Socket): LocalEnd {
  return {
    input: socket,
    output: socket,
    finish: () => {
      socket.end();
      setTimeout(() => socket.destroy(), LOCAL_END_GRACE_MS).unref();
    },
  };
}

export interface ForwardListener {
  address: string;
  port: number;
  /** Stops listening and tears down every open tunnel. */
  close(): Promise<void>;
}

export interface ListenerEvents {
  /** A connection's tunnel failed; the listener and the other connections go on. */
  onTunnelError(error: BerthError): void;
}

function listenError(error: NodeJS.ErrnoException, address: string, port: number): BerthError {
  if (error.code === 'EADDRINUSE') {
    return new BerthError('CONFLICT', `port ${port} on ${address} is already in use`, { hint: 'choose another port, or leave it out to get a free one' });
  }
  if (error.code === 'EACCES') return usageError(`not allowed to listen on ${address}:${port}`, 'ports below 1024 need privileges; choose a higher one');
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return usageError(`cannot listen on ${address}: no such local address`, 'use 127.0.0.1 (the default) or an address of this machine');
  }
  return new BerthError('INTERNAL', `cannot listen on ${address}:${port}: ${error.message}`);
}

/**
 * Keeps an opening tunnel in `tunnels` while it is open, closes it at once if its server closed
 * meanwhile, and reports why it failed or was refused. Shared by every server that opens a tunnel
 * per client (this listener, vnc --web's WebSockets).
 */
export function trackTunnel(opening: Promise<Tunnel>, tunnels: Set<Tunnel>, closing: () => boolean, events: ListenerEvents, onOpenFailed: () => void): void {
  opening
    .then(async (tunnel) => {
      if (closing()) tunnel.close();
      tunnels.add(tunnel);
      const result = await tunnel.closed;
      tunnels.delete(tunnel);
      if (result.refused) events.onTunnelError(result.refused);
    })
    .catch((error: unknown) => {
      onOpenFailed();
      events.onTunnelError(error instanceof BerthError ? error : new BerthError('INTERNAL', String((error as Error)?.message ?? error)));
    });
}

/**
 * Listens on address:port (port 0: a free one) and forwards every accepted connection through its
 * own port-forward stream, so several clients can be connected at once and one failing leaves the
 * others alone.
 */
export async function listenAndForward(
  endpoint: TunnelEndpoint,
  target: PodPort,
  listen: { address: string; port: number },
  events: ListenerEvents,
): Promise<ForwardListener> {
  const tunnels = new Set<Tunnel>();
  const sockets = new Set<Socket>();
  let closing = false;
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    socket.pause();
    trackTunnel(openPortForward(endpoint, target, socketEnd(socket)), tunnels, () => closing, events, () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, listen.address, listen.port)));
    server.listen(listen.port, listen.address, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : listen.port;
  return {
    address: listen.address,
    port,
    close: async () => {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const tunnel of tunnels) tunnel.close();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
