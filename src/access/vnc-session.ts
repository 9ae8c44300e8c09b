// The part `vnc` and `vnc port-forward` share: find the VM, refuse when its VNC is off, listen
// locally and forward every viewer's connection to the pod's 127.0.0.1:5900.
import { BerthError } from '../../shared/errors.js';
import { listenAndForward, type ForwardListener } from '../kube/forward-listener.js';
import type { ClusterReader } from '../kube/reader.js';
import { readerLookup } from '../kube/vm-pod.js';
import { Ports, type VncMode } from '../../shared/contract.js';
import { resolveVm } from './resolve.js';
import { vncMode, vncPasswordNote, vncUrl } from './vnc.js';

export interface VncSession {
  listener: ForwardListener;
  vm: string;
  namespace: string;
  mode: VncMode;
  url: string;
  passwordNote: string;
}

export async function startVncSession(
  reader: ClusterReader,
  rawName: string,
  listen: { address: string; port: number },
  note: (line: string) => void,
): Promise<VncSession> {
  const { name, namespace, pod, podName } = await resolveVm(readerLookup(reader), reader, rawName);
  const mode = vncMode(pod);
  if (mode === 'off') {
    throw new BerthError('CONFLICT', `VM '${name}' was created without VNC`, { hint: 'use kubectl berth console for its serial console, or recreate it with VNC on' });
  }
  const listener = await listenAndForward(
    await reader.tunnels(),
    {
      namespace,
      pod: podName,
      port: Ports.vnc,
      vm: name,
      refusedHint: "the VM's launcher serves VNC on the pod's 127.0.0.1:5900; see its log with kubectl logs " + `${podName} -n ${namespace}`,
    },
    listen,
    { onTunnelError: (error) => note(`vnc: a viewer's connection failed: ${error.message}${error.suggestions.length ? ` (${error.suggestions.join('; ')})` : ''}`) },
  );
  return { listener, vm: name, namespace, mode, url: vncUrl(listener.address, listener.port), passwordNote: vncPasswordNote(mode, name, namespace) };
}
