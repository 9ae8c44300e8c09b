// Reading the pod's interfaces (`ip -j -4 addr show`): which one holds the pod IP, its MTU, and
// whether a pod subnet overlaps the VM's private /30.
import { inSubnet, parseIpv4, VM_PREFIX } from '../../common/ipv4.js';

export interface IpAddrEntry {
  ifname: string;
  mtu: number;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

export function podInterfaceOf(links: IpAddrEntry[], podIp: string): IpAddrEntry | undefined {
  return links.find((link) => (link.addr_info ?? []).some((a) => a.family === 'inet' && a.local === podIp));
}

/** "eth0 10.0.0.5/8" for every pod address whose subnet overlaps the VM's /30. */
export function overlapsWithVmNetwork(links: IpAddrEntry[], vmIp: string, ignore: string[]): string[] {
  const vm = parseIpv4(vmIp)!;
  const hits: string[] = [];
  for (const link of links) {
    if (ignore.includes(link.ifname)) continue;
    for (const a of link.addr_info ?? []) {
      const local = a.family === 'inet' && a.local ? parseIpv4(a.local) : undefined;
      if (local === undefined || a.prefixlen === undefined) continue;
      if (inSubnet(local, vm, Math.min(a.prefixlen, VM_PREFIX))) hits.push(`${link.ifname} ${a.local}/${a.prefixlen}`);
    }
  }
  return hits;
}
