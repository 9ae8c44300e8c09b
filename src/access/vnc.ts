// What `vnc` prints: the address, and where the password is. The launcher serves VNC on the pod's
// 127.0.0.1:5900, which is exactly where the kubelet delivers a port-forward.
import { isIPv4 } from 'node:net';
import type { V1Pod } from '@kubernetes/client-node';
import { usageError } from '../../shared/errors.js';
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

/** The flag that lets --address listen beyond this machine, in kubectl's --insecure-* manner. */
export const INSECURE_ADDRESS_FLAG = 'insecure-address';

/** An address only this machine reaches: 127.0.0.0/8, ::1, localhost. */
function isLoopback(address: string): boolean {
  const a = address.trim().toLowerCase();
  return a === 'localhost' || a === '::1' || (isIPv4(a) && a.startsWith('127.'));
}

/**
 * Refuses a listen address beyond loopback unless confirmed: the local end of the forward asks for
 * nothing, so whoever reaches it gets the VM's screen and keyboard (and, for a display without a
 * password, no login stands in the way). Pure.
 */
export function checkVncAddress(address: string, confirmed: boolean): void {
  if (confirmed || isLoopback(address)) return;
  throw usageError(`--address ${address} would open the VM's display to the network: the forward asks for no credentials, so anyone who reaches it gets the VM's screen and keyboard`, [
    'keep the default 127.0.0.1; from another machine, tunnel to it: ssh -L 5900:127.0.0.1:PORT THIS-HOST',
    `or, on a network you trust, confirm with --${INSECURE_ADDRESS_FLAG}`,
  ]);
}
