// A port-forward WebSocket opened with `ws` and the TLS options and headers of a kubeconfig that
// planRest() could serve, so `kubectl berth port-forward --stdio` (ssh's ProxyCommand) never loads
// client-node. The protocol is the API server's channel protocol, as client-node speaks it: every
// message starts with its channel (0 data, 1 errors for the first port), and the first message on
// each channel starts with the port number (2 bytes), which is not data.
import type { Writable } from 'node:stream';
import type { RawData } from 'ws';
import { openError, type ChannelSocket, type PodPort, type TunnelEndpoint } from '../tunnel.js';
import type { RestTarget } from './plan.js';

/** The same offer as client-node's; the server picks the newest it speaks (v4 for port-forward). */
export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

/** The WebSocket URL of a port-forward to pod:port. Pure. */
export function portForwardUrl(server: string, target: Pick<PodPort, 'namespace' | 'pod' | 'port'>): URL {
  const url = new URL(`${server.replace(/^http/, 'ws')}/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/portforward`);
  url.searchParams.set('ports', String(target.port));
  return url;
}

/**
 * Splits incoming messages of one forwarded port into data and error bytes, dropping each
 * channel's port prefix. Returns the handler for one message. Pure apart from the writes.
 */
export function channelDemux(fromPod: Pick<Writable, 'write'>, errors: Pick<Writable, 'write'>): (message: Buffer) => void {
  const prefixPending = [true, true];
  return (message) => {
    const channel = message[0];
    if (channel !== 0 && channel !== 1) return; // other ports (none asked for) and close frames
    let payload = message.subarray(1);
    if (prefixPending[channel]) {
      payload = payload.subarray(2);
      prefixPending[channel] = false;
    }
    if (payload.length > 0) (channel === 0 ? fromPod : errors).write(payload);
  };
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

export function httpsEndpoint(rest: RestTarget): TunnelEndpoint {
  return {
    server: rest.server,
    async open(target, fromPod, errors) {
      const { default: WebSocket } = await import('ws');
      const ws = new WebSocket(portForwardUrl(rest.server, target), CHANNEL_PROTOCOLS, {
        ...rest.tls,
        headers: { 'User-Agent': 'kubectl-berth', ...rest.headers },
      });
      const demux = channelDemux(fromPod, errors);
      ws.on('message', (data, isBinary) => {
        if (isBinary) demux(asBuffer(data));
      });
      try {
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
      } catch (error) {
        ws.terminate();
        throw openError(error, rest.server, target.pod, target.namespace, target.vm, 'portforward');
      }
      // joinLocal listens for errors from here on; until then an error must not go unheard.
      ws.on('error', () => undefined);
      return ws as unknown as ChannelSocket;
    },
  };
}
