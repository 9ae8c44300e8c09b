// The part `vnc`, `vnc port-forward`, `vnc --web` and `vnc screenshot` share: find the VM, refuse
// when its VNC is off, and reach the pod's 127.0.0.1:5900 through the API server's port-forward,
// either from a local listener (one tunnel per viewer) or one tunnel at a time for our own clients.
import { BerthError } from '../../shared/errors.js';
import { listenAndForward, type ForwardListener } from '../kube/forward-listener.js';
import type { ClusterReader } from '../kube/reader.js';
import { openPortForward, type LocalEnd, type PodPort, type Tunnel, type TunnelEndpoint } from '../kube/tunnel.js';
import { readerLookup } from '../kube/vm-pod.js';
import { Ports, type VncMode } from '../../shared/contract.js';
import { resolveVm } from './resolve.js';
import { vncMode, vncPasswordNote, vncUrl } from './vnc.js';

export interface VncTarget {
  vm: string;
  namespace: string;
  mode: VncMode;
  passwordNote: string;
  endpoint: TunnelEndpoint;
  pod: PodPort;
  /** Opens one tunnel to the VM's display with `local` as its near end. */
  open(local: LocalEnd): Promise<Tunnel>;
}

export interface VncSession extends VncTarget {
  listener: ForwardListener;
  url: string;
}

/** Finds the VM's running pod and checks that it has a display to reach. */
export async function resolveVncTarget(reader: ClusterReader, rawName: string): Promise<VncTarget> {
  const { name, namespace, pod, podName } = await resolveVm(readerLookup(reader), reader, rawName);
  const mode = vncMode(pod);
  if (mode === 'off') {
    throw new BerthError('CONFLICT', `VM '${name}' was created without VNC`, { hint: 'use kubectl berth console for its serial console, or recreate it with VNC on' });
  }
  const endpoint = await reader.tunnels();
  const target: PodPort = {
    namespace,
    pod: podName,
    port: Ports.vnc,
    vm: name,
    refusedHint: "the VM's launcher serves VNC on the pod's 127.0.0.1:5900; see its log with kubectl logs " + `${podName} -n ${namespace}`,
  };
  return { vm: name, namespace, mode, passwordNote: vncPasswordNote(mode, name, namespace), endpoint, pod: target, open: (local) => openPortForward(endpoint, target, local) };
}

export async function startVncSession(
  reader: ClusterReader,
  rawName: string,
  listen: { address: string; port: number },
  note: (line: string) => void,
): Promise<VncSession> {
  const target = await resolveVncTarget(reader, rawName);
  const listener = await listenAndForward(target.endpoint, target.pod, listen, { onTunnelError: (error) => note(tunnelErrorLine(error)) });
  return { ...target, listener, url: vncUrl(listener.address, listener.port) };
}

/** One stderr line for a viewer's connection that failed; the others go on. */
export function tunnelErrorLine(error: BerthError): string {
  return `vnc: a viewer's connection failed: ${error.message}${error.suggestions.length ? ` (${error.suggestions.join('; ')})` : ''}`;
}
