// dnsmasq as the VM's DHCP server on the bridge: exactly one lease (the VM's address for the VM's
// MAC), the pod's DNS servers and search domains, and the pod's MTU. No DNS service of its own.
import { VM_NETMASK } from './ipv4.js';

export const DNSMASQ_BINARY = 'dnsmasq';

export interface DnsmasqPlan {
  bridge: string;
  vmIp: string;
  gateway: string;
  mac: string;
  nameservers: string[];
  searchDomains: string[];
  mtu: number;
  leaseFile: string;
}

export function dnsmasqArgs(plan: DnsmasqPlan): string[] {
  const args = [
    '--conf-file=/dev/null',
    '--keep-in-foreground',
    '--log-facility=-',
    // stay root: the container may lack CAP_SETUID, and there is nothing to protect by dropping it
    '--user=root',
    '--group=root',
    `--interface=${plan.bridge}`,
    '--bind-interfaces',
    '--except-interface=lo',
    '--port=0',
    '--no-resolv',
    '--no-hosts',
    '--dhcp-authoritative',
    // an infinite lease: the VM never depends on dnsmasq after its first DHCP exchange
    `--dhcp-range=${plan.vmIp},${plan.vmIp},${VM_NETMASK},infinite`,
    `--dhcp-host=${plan.mac},${plan.vmIp}`,
    `--dhcp-option=option:router,${plan.gateway}`,
    `--dhcp-option=option:mtu,${plan.mtu}`,
    `--dhcp-leasefile=${plan.leaseFile}`,
  ];
  if (plan.nameservers.length > 0) args.push(`--dhcp-option=option:dns-server,${plan.nameservers.join(',')}`);
  if (plan.searchDomains.length > 0) {
    args.push(`--dhcp-option=option:domain-search,${plan.searchDomains.join(',')}`);
    // option 15 for guests that ignore 119
    args.push(`--dhcp-option=option:domain-name,${plan.searchDomains[0]}`);
  }
  return args;
}
