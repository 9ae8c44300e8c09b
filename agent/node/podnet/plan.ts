// The Berth network of a VM pod, planned as argv lists the agent runs inside the pod's network
// namespace before the launcher starts: a bridge holding the VM's gateway on a private /30, a tap
// that the unprivileged QEMU may open (owned by the launcher's uid), IPv4 forwarding, and the NAT
// that gives the VM the pod's identity (iptables-rules.ts). The VM pod itself then needs no
// NET_ADMIN, which Pod Security "baseline" and "restricted" refuse.
import { BRIDGE_DEVICE, TAP_DEVICE } from '../../../shared/contract.js';
import { VM_PREFIX } from '../../common/ipv4.js';
import type { IpAddrEntry } from './interfaces.js';
import { IPTABLES_BINARY, natSetupRules } from './iptables-rules.js';

export interface PodNetworkPlan {
  /** The pod's own interface (the one holding the pod IP) and that IP. */
  podInterface: string;
  podIp: string;
  mtu: number;
  vmIp: string;
  vmGateway: string;
  /** Owner of the tap: the uid and gid QEMU runs as. */
  uid: number;
  gid: number;
}

export type Argv = readonly string[];

/** Commands that build the network, in order, each with what it does (for error messages). */
export function setupCommands(plan: PodNetworkPlan): { argv: Argv; what: string }[] {
  return [
    // a pod's network namespace starts with forwarding off unless the node's default says otherwise
    { argv: ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'], what: 'enabling IPv4 forwarding' },
    { argv: ['ip', 'link', 'add', BRIDGE_DEVICE, 'type', 'bridge'], what: 'creating the bridge' },
    { argv: ['ip', 'addr', 'add', `${plan.vmGateway}/${VM_PREFIX}`, 'dev', BRIDGE_DEVICE], what: 'addressing the bridge' },
    { argv: ['ip', 'link', 'set', BRIDGE_DEVICE, 'mtu', String(plan.mtu), 'up'], what: 'bringing the bridge up' },
    {
      argv: ['ip', 'tuntap', 'add', 'dev', TAP_DEVICE, 'mode', 'tap', 'user', String(plan.uid), 'group', String(plan.gid)],
      what: 'creating the tap device',
    },
    { argv: ['ip', 'link', 'set', TAP_DEVICE, 'mtu', String(plan.mtu), 'master', BRIDGE_DEVICE, 'up'], what: 'attaching the tap' },
    ...natSetupRules({ podInterface: plan.podInterface, podIp: plan.podIp, vmIp: plan.vmIp, bridge: BRIDGE_DEVICE }).map((rule) => ({
      argv: [IPTABLES_BINARY, ...rule],
      what: 'adding the NAT rules',
    })),
  ];
}

/**
 * The pod's own interface: the one the default route leaves by, else the only one with an IPv4
 * address besides loopback and our own devices. Undefined when neither tells.
 */
export function podInterfaceOf(links: readonly IpAddrEntry[], defaultRouteDevice: string | undefined): { link: IpAddrEntry; ip: string } | undefined {
  const own = new Set(['lo', BRIDGE_DEVICE, TAP_DEVICE]);
  const withIp = links
    .filter((l) => !own.has(l.ifname))
    .map((link) => ({ link, ip: link.addr_info?.find((a) => a.family === 'inet' && a.local)?.local }))
    .filter((c): c is { link: IpAddrEntry; ip: string } => c.ip !== undefined);
  return withIp.find((c) => c.link.ifname === defaultRouteDevice) ?? (withIp.length === 1 ? withIp[0] : undefined);
}
