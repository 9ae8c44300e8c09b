// What `vnc` prints: the address, and where the password is. The launcher serves VNC on the pod's
// 127.0.0.1:5900, which is exactly where the kubelet delivers a port-forward.
import type { V1Pod } from '@kubernetes/client-node';
import { cloudInitSecretName } from '../core/names.js';
import { Files, LauncherEnv, VM_CONTAINER, type VncMode } from '../../shared/contract.js';

export function vncUrl(address: string, port: number): string {
  return `vnc://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** The VM's VNC mode from its container's environment; 'loopback' when unset (the launcher's default). */
export function vncMode(pod: V1Pod): VncMode {
  const container = pod.spec?.containers.find((c) => c.name === VM_CONTAINER);
  const value = container?.env?.find((e) => e.name === LauncherEnv.vnc)?.value;
  return value === 'password' || value === 'off' ? value : 'loopback';
}

/** One line on where the password is, or that there is none. */
export function vncPasswordNote(mode: VncMode, vm: string, namespace: string): string {
  if (mode === 'password') {
    const secret = cloudInitSecretName(vm);
    return `password: kubectl get secret ${secret} -n ${namespace} -o jsonpath='{.data.${Files.vncPassword}}' | base64 -d`;
  }
  return "no password: VNC listens on the pod's loopback only";
}

/** The line `vnc --proxy-only` prints on stdout for scripts. */
export function proxyOnlyJson(address: string, port: number): string {
  return JSON.stringify({ address, port });
}
