// `kubectl berth port-forward`: local listeners for any guest port, and the --stdio mode that ssh
// runs as its ProxyCommand (stdin/stdout joined to one port-forward stream).
import { usageError } from '../../shared/errors.js';
import { listenAndForward, type ForwardListener } from '../kube/forward-listener.js';
import type { ClusterReader } from '../kube/reader.js';
import { openPortForward, type LocalEnd } from '../kube/tunnel.js';
import { readerLookup } from '../kube/vm-pod.js';
import { Ports } from '../../shared/contract.js';
import { parsePort, type PortSpec } from './port-spec.js';
import { resolveVm } from './resolve.js';

function refusedHint(port: number, pod: string, namespace: string): string {
  if (port === Ports.ssh) return 'is sshd running in the guest? the console shows its boot: kubectl berth console NAME';
  if (port === Ports.vnc) return `the launcher serves VNC on the pod's 127.0.0.1:5900; see kubectl logs ${pod} -n ${namespace}`;
  return `is a service listening on port ${port} in the guest, and does the VM's launcher forward that port (22 always; others when the VM was created with them)?`;
}

function stdioEnd(): LocalEnd {
  return {
    input: process.stdin,
    output: process.stdout,
    finish: () => {
      process.stdin.pause();
      process.stdin.destroy();
    },
  };
}

/** One stream on stdin/stdout; throws TUNNEL_REFUSED when nothing listens on the port. */
export function stdioPort(ports: readonly string[]): number {
  if (ports.length !== 1) throw usageError('--stdio carries exactly one port', 'e.g. kubectl berth port-forward --stdio web-1 22');
  return parsePort(ports[0], 'port');
}

export async function forwardStdio(reader: ClusterReader, rawName: string, port: number): Promise<void> {
  const { name, namespace, podName } = await resolveVm(readerLookup(reader), reader, rawName);
  const tunnel = await openPortForward(await reader.tunnels(), { namespace, pod: podName, port, vm: name, refusedHint: refusedHint(port, podName, namespace) }, stdioEnd());
  const result = await tunnel.closed;
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  if (result.refused) throw result.refused;
}

export interface Forwarding {
  listeners: Array<{ listener: ForwardListener; remote: number }>;
  close(): Promise<void>;
}

/** Listens for every spec; if one cannot listen, closes the others and throws. */
export async function startPortForwards(
  reader: ClusterReader,
  rawName: string,
  specs: readonly PortSpec[],
  address: string,
  note: (line: string) => void,
): Promise<Forwarding> {
  const { name, namespace, podName } = await resolveVm(readerLookup(reader), reader, rawName);
  const tunnels = await reader.tunnels();
  const listeners: Forwarding['listeners'] = [];
  const close = async () => {
    await Promise.all(listeners.map(({ listener }) => listener.close()));
  };
  try {
    for (const spec of specs) {
      const target = { namespace, pod: podName, port: spec.remote, vm: name, refusedHint: refusedHint(spec.remote, podName, namespace) };
      const listener = await listenAndForward(tunnels, target, { address, port: spec.local }, {
        onTunnelError: (error) => note(`port ${spec.remote}: ${error.message}${error.suggestions.length ? ` (${error.suggestions.join('; ')})` : ''}`),
      });
      listeners.push({ listener, remote: spec.remote });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { listeners, close };
}
