// The one owner of port-forward and attach streams. The WebSocket of a port-forward is opened by a
// TunnelEndpoint: client-node's PortForward (any kubeconfig), or plain `ws` with the TLS options of
// the kubeconfig (rest/port-forward.ts), which spares the ssh ProxyCommand client-node's start-up.
// Either leaves the rest to us (style-anchors §5, pitfalls 4 and 5): text on a port's error channel
// is dropped unless we pass a writable for it, and nothing closes the local socket when the tunnel
// drops. Here every tunnel reads its error channel, ends its local side when the WebSocket closes,
// closes the WebSocket when the local side goes, pings it against idle proxies, and applies
// back-pressure both ways. Access commands reach client-node only through this module (and
// forward-listener.ts, which builds on it).
import { PassThrough, Writable, type Readable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { BerthError } from '../../shared/errors.js';
import { toBerthError } from './errors.js';

/** The part of the `ws` WebSocket (also what client-node returns) this module uses. */
export interface ChannelSocket {
  readonly readyState: number;
  readonly protocol: string;
  readonly bufferedAmount: number;
  send(data: Buffer, callback?: (error?: Error) => void): void;
  close(): void;
  terminate(): void;
  ping(): void;
  pause(): void;
  resume(): void;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const CONNECTING = 0;
const OPEN = 1;
/** Below idle timeouts of load balancers in front of API servers (virtctl #6493). */
const KEEPALIVE_MS = 25_000;
const SEND_HIGH_WATER = 1 << 20;
/**
 * Only the v5 protocol can half-close a stream; port-forward speaks v4. When the local side stops
 * sending, give the remote side this long to finish its answer before the whole tunnel closes.
 */
export const LOCAL_END_GRACE_MS = 2_000;
const CHANNEL_CLOSE = 255;
const CLOSE_HANDSHAKE_MS = 5_000;

export interface PodPort {
  namespace: string;
  pod: string;
  port: number;
  /** The VM the pod runs, for messages. */
  vm: string;
  /** What to suggest when nothing listens on the port. */
  refusedHint?: string;
}

/** The local side of one tunnel: a TCP connection, or stdin/stdout for ssh's ProxyCommand. */
export interface LocalEnd {
  input: Readable;
  output: Writable;
  /** Ends the local side once the tunnel has closed. */
  finish(): void;
}

export interface TunnelResult {
  /** Set when the pod side refused or failed the connection (text from the error channel). */
  refused?: BerthError;
}

export interface Tunnel {
  closed: Promise<TunnelResult>;
  /** Tears the tunnel down at once. */
  close(): void;
}

function frame(channel: number, data: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(data.length + 1);
  framed[0] = channel;
  data.copy(framed, 1);
  return framed;
}

function refusedError(target: PodPort, text: string): BerthError {
  const where = `VM '${target.vm}' (pod ${target.pod}, namespace ${target.namespace})`;
  const hint = target.refusedHint ?? 'is sshd/VNC listening in the guest?';
  if (/connection refused/i.test(text)) {
    return new BerthError('TUNNEL_REFUSED', `nothing accepts connections on port ${target.port} in ${where}`, { hint });
  }
  return new BerthError('TUNNEL_REFUSED', `the cluster could not forward port ${target.port} of ${where}: ${text}`, { hint });
}

/** Turns a failure to open the WebSocket into a BerthError; `what` is 'portforward' or 'attach'. */
export function openError(error: unknown, server: string | undefined, pod: string, namespace: string, vm: string, what: string): BerthError {
  const e = error as { message?: string; error?: unknown };
  const status = /Unexpected server response: (\d+)/.exec(e?.message ?? '')?.[1];
  const action = `${what === 'attach' ? 'attach to' : 'forward a port of'} VM '${vm}'`;
  switch (status) {
    case undefined:
      return toBerthError(e?.error ?? error, { action, server });
    case '401':
      return new BerthError('UNAUTHORIZED', `cannot ${action}: the cluster did not accept your credentials`, {
        hint: 'refresh your credentials or check the user in your kubeconfig',
      });
    case '403':
      return new BerthError('FORBIDDEN', `cannot ${action}: forbidden`, {
        hint: `ask a cluster admin for RBAC permission to get and create pods/${what} in namespace ${namespace} (Kubernetes 1.35 and newer check both)`,
      });
    case '404':
      return new BerthError('VM_NOT_RUNNING', `cannot ${action}: its pod ${pod} is gone`, {
        hint: 'the VM stopped or is restarting; check with kubectl berth ls, then try again',
      });
    default:
      return new BerthError('VM_NOT_RUNNING', `cannot ${action}: the cluster answered HTTP ${status} for pod ${pod}`, {
        hint: `is its container running? see kubectl describe pod ${pod} -n ${namespace}`,
      });
  }
}

function startKeepalive(socket: ChannelSocket): NodeJS.Timeout {
  const timer = setInterval(() => {
    if (socket.readyState === OPEN) socket.ping();
  }, KEEPALIVE_MS);
  timer.unref();
  return timer;
}

/**
 * Opens the WebSocket of one port-forward to pod:port. Bytes from the pod's data channel go to
 * `fromPod`, text on its error channel to `errors`; the port-number prefix of each channel is
 * already stripped. What we send is framed by joinLocal.
 */
export interface TunnelEndpoint {
  /** The API server's address, for messages. */
  server: string | undefined;
  open(target: PodPort, fromPod: Writable, errors: Writable): Promise<ChannelSocket>;
}

/** client-node's PortForward: serves every kubeconfig, exec plugins and proxies included. */
export function clientNodeEndpoint(kubeConfig: KubeConfig): TunnelEndpoint {
  const server = kubeConfig.getCurrentCluster()?.server;
  return {
    server,
    async open(target, fromPod, errors) {
      const { PortForward } = await import('@kubernetes/client-node');
      // client-node reads local bytes from `input` without back-pressure and closes the whole
      // WebSocket when it ends; we hand it a stream that stays silent and send frames ourselves.
      const silent = new PassThrough();
      let opened: unknown;
      try {
        opened = await new PortForward(kubeConfig, true).portForward(target.namespace, target.pod, [target.port], fromPod, errors, silent, 0);
      } catch (error) {
        throw openError(error, server, target.pod, target.namespace, target.vm, 'portforward');
      }
      const ws = (typeof opened === 'function' ? opened() : opened) as ChannelSocket | null;
      if (!ws) throw new BerthError('INTERNAL', `port-forward to pod ${target.pod} returned no connection`);
      return ws;
    },
  };
}

/** Opens one port-forward stream to pod:port and joins it to `local` until either side ends. */
export async function openPortForward(endpoint: TunnelEndpoint, target: PodPort, local: LocalEnd): Promise<Tunnel> {
  const errorText: Buffer[] = [];
  const errorChannel = new Writable({
    write(chunk: Buffer, _encoding, done) {
      errorText.push(Buffer.from(chunk));
      done();
    },
  });
  let socket: ChannelSocket | undefined;
  let remotePaused = false;
  const fromPod = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (local.output.writable && !local.output.write(chunk) && !remotePaused && socket) {
        remotePaused = true;
        socket.pause();
        local.output.once('drain', () => {
          remotePaused = false;
          socket?.resume();
        });
      }
      done();
    },
  });
  socket = await endpoint.open(target, fromPod, errorChannel);
  return joinLocal(socket, target, local, errorText);
}

function joinLocal(ws: ChannelSocket, target: PodPort, local: LocalEnd, errorText: Buffer[]): Tunnel {
  let localPaused = false;
  let grace: NodeJS.Timeout | undefined;
  const keepalive = startKeepalive(ws);
  const closeSocket = () => {
    if (ws.readyState !== OPEN && ws.readyState !== CONNECTING) return;
    ws.close();
    // An API server that never answers the close handshake must not keep us around.
    setTimeout(() => ws.terminate(), CLOSE_HANDSHAKE_MS).unref();
  };
  const onData = (chunk: Buffer) => {
    if (ws.readyState !== OPEN) return;
    ws.send(frame(0, chunk), () => {
      if (localPaused && ws.bufferedAmount < SEND_HIGH_WATER / 2) {
        localPaused = false;
        local.input.resume();
      }
    });
    if (!localPaused && ws.bufferedAmount > SEND_HIGH_WATER) {
      localPaused = true;
      local.input.pause();
    }
  };
  const onEnd = () => {
    if (ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.from([CHANNEL_CLOSE, 0]));
    else grace = setTimeout(closeSocket, LOCAL_END_GRACE_MS);
  };
  const onGone = () => closeSocket();
  if (local.output.destroyed || local.input.destroyed) closeSocket();
  local.input.on('data', onData);
  // A client that sends nothing and half-closes at once may have ended before the stream opened.
  if (local.input.readableEnded) onEnd();
  else local.input.once('end', onEnd);
  local.input.on('error', onGone);
  local.output.on('error', onGone);
  local.output.once('close', onGone);
  local.input.resume();

  const closed = new Promise<TunnelResult>((resolve) => {
    ws.on('error', () => {
      // 'close' follows; the error channel says more than the WebSocket's error does.
    });
    ws.on('close', () => {
      clearInterval(keepalive);
      clearTimeout(grace);
      local.input.off('data', onData);
      local.input.off('end', onEnd);
      local.output.off('close', onGone);
      local.finish();
      const text = Buffer.concat(errorText).toString('utf8').trim();
      resolve(text ? { refused: refusedError(target, text) } : {});
    });
  });
  return { closed, close: () => ws.terminate() };
}

export interface AttachTarget {
  namespace: string;
  pod: string;
  container: string;
  vm: string;
}

export interface AttachIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable | null;
  tty: boolean;
}

export interface Attached {
  /** Resolves when the attach stream closes, from either side. */
  closed: Promise<void>;
  close(): void;
}

/** Attaches to a container's stdio (the VM's serial console); terminal resizes follow stdout. */
export async function attachContainer(kubeConfig: KubeConfig, target: AttachTarget, io: AttachIo): Promise<Attached> {
  const { Attach } = await import('@kubernetes/client-node');
  let ws: ChannelSocket;
  try {
    ws = (await new Attach(kubeConfig).attach(target.namespace, target.pod, target.container, io.stdout, io.stderr, io.stdin, io.tty)) as unknown as ChannelSocket;
  } catch (error) {
    throw openError(error, kubeConfig.getCurrentCluster()?.server, target.pod, target.namespace, target.vm, 'attach');
  }
  const keepalive = startKeepalive(ws);
  const closed = new Promise<void>((resolve) => {
    ws.on('error', () => {});
    ws.on('close', () => {
      clearInterval(keepalive);
      resolve();
    });
  });
  return {
    closed,
    close: () => {
      if (ws.readyState === OPEN || ws.readyState === CONNECTING) ws.close();
    },
  };
}
