// The VM's MAC address: derived from its identity, so it is the same on every restart (the guest
// keeps its interface name and DHCP lease) and differs between VMs.
import { createHash } from 'node:crypto';

/** 52:54:00 (QEMU's locally administered, unicast prefix) + 3 bytes of sha256("namespace/name"). */
export function vmMac(namespace: string, name: string): string {
  const digest = createHash('sha256').update(`${namespace}/${name}`).digest();
  const tail = [...digest.subarray(0, 3)].map((b) => b.toString(16).padStart(2, '0'));
  return ['52', '54', '00', ...tail].join(':');
}
