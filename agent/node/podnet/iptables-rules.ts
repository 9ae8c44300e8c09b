// The Berth NAT: everything sent to the pod IP goes to the VM (1:1 DNAT, every port and protocol)
// except TCP 5900, which stays with QEMU's VNC server in the pod; the VM's traffic leaves with the
// pod IP (SNAT). The rules live in the launcher's own chains, so removing them is unambiguous.
import { Ports } from '../../../shared/contract.js';

export const IPTABLES_BINARY = 'iptables';

/** Chains the launcher owns; every rule it adds is in one of these or jumps to one. */
export const Chains = {
  dnat: 'BERTH-DNAT',
  snat: 'BERTH-SNAT',
  forward: 'BERTH-FORWARD',
} as const;

const OWN_CHAINS = new Set<string>(Object.values(Chains));

export interface NatPlan {
  podInterface: string;
  podIp: string;
  vmIp: string;
  bridge: string;
}

/** iptables argv lists (without the binary), in order. `-w` waits for the xtables lock. */
export function natSetupRules(plan: NatPlan): string[][] {
  const vm = `${plan.vmIp}/32`;
  return [
    ['-w', '-t', 'nat', '-N', Chains.dnat],
    ['-w', '-t', 'nat', '-A', Chains.dnat, '-p', 'tcp', '--dport', String(Ports.vnc), '-j', 'RETURN'],
    ['-w', '-t', 'nat', '-A', Chains.dnat, '-j', 'DNAT', '--to-destination', plan.vmIp],
    ['-w', '-t', 'nat', '-A', 'PREROUTING', '-i', plan.podInterface, '-d', `${plan.podIp}/32`, '-j', Chains.dnat],
    ['-w', '-t', 'nat', '-N', Chains.snat],
    ['-w', '-t', 'nat', '-A', Chains.snat, '-s', vm, '-o', plan.podInterface, '-j', 'SNAT', '--to-source', plan.podIp],
    ['-w', '-t', 'nat', '-A', 'POSTROUTING', '-j', Chains.snat],
    // an explicit accept, in case the pod's FORWARD policy is DROP
    ['-w', '-t', 'filter', '-N', Chains.forward],
    ['-w', '-t', 'filter', '-A', Chains.forward, '-i', plan.bridge, '-o', plan.podInterface, '-j', 'ACCEPT'],
    ['-w', '-t', 'filter', '-A', Chains.forward, '-i', plan.podInterface, '-o', plan.bridge, '-j', 'ACCEPT'],
    ['-w', '-t', 'filter', '-I', 'FORWARD', '1', '-j', Chains.forward],
  ];
}

/** The tables to list (`iptables -t TABLE -S`) before removing the launcher's rules. */
export const NAT_TABLES = ['nat', 'filter'] as const;

/**
 * Removal argv lists: delete every rule that jumps into a launcher chain, found in `listings` (the
 * `-S` output of each table), then flush and delete the launcher's chains that exist. Works for the
 * rules of this run and for the leftovers of a launcher that was killed.
 */
export function natTeardownRules(listings: Map<string, string>): string[][] {
  const jumps: string[][] = [];
  const chains: string[][] = [];
  for (const table of NAT_TABLES) {
    for (const line of (listings.get(table) ?? '').split('\n')) {
      const words = line.trim().split(/\s+/);
      if (words[0] === '-N' && OWN_CHAINS.has(words[1])) {
        chains.push(['-w', '-t', table, '-F', words[1]], ['-w', '-t', table, '-X', words[1]]);
      } else if (words[0] === '-A' && !OWN_CHAINS.has(words[1])) {
        const jump = words.indexOf('-j');
        if (jump > 0 && OWN_CHAINS.has(words[jump + 1])) jumps.push(['-w', '-t', table, '-D', ...words.slice(1)]);
      }
    }
  }
  return [...jumps, ...chains];
}
