// Builds the Berth network inside a VM pod's network namespace, from the agent, with nsenter. The
// kubelet calls this through the device plugin's PreStartContainer for every start of the VM
// container (first start and restarts), so it first removes what an earlier start left.
import { BerthError } from '../../../shared/errors.js';
import { Annotations, BRIDGE_DEVICE, TAP_DEVICE, VM_USER } from '../../../shared/contract.js';
import { VM_PREFIX } from '../../common/ipv4.js';
import { mustRun, type Run, type RunResult } from '../../common/exec.js';
import { overlapsWithVmNetwork, type IpAddrEntry } from './interfaces.js';
import { IPTABLES_BINARY, NAT_TABLES, natTeardownRules } from './iptables-rules.js';
import { podInterfaceOf, setupCommands, type PodNetworkPlan } from './plan.js';

export interface VmAddresses {
  vmIp: string;
  vmGateway: string;
}

export type Log = (message: string) => void;

/** A Run whose commands run inside the network namespace at `netnsPath` (/proc/PID/ns/net). */
export function inNetns(run: Run, netnsPath: string): Run {
  return (file, args) => run('nsenter', [`--net=${netnsPath}`, '--', file, ...args]);
}

type Exec = (argv: readonly string[]) => Promise<RunResult>;
type Must = (argv: readonly string[], what: string) => Promise<RunResult>;

export async function plumbPodNetwork(run: Run, vm: VmAddresses, log: Log): Promise<PodNetworkPlan> {
  const exec: Exec = ([file, ...args]) => run(file!, args);
  const must: Must = ([file, ...args], what) => mustRun(run, file!, args, what, 'AGENT');
  await removeLeftovers(exec, must);
  const links = JSON.parse((await must(['ip', '-j', '-4', 'addr', 'show'], 'listing the pod interfaces')).stdout) as IpAddrEntry[];
  const routes = JSON.parse((await must(['ip', '-j', '-4', 'route', 'show', 'default'], 'reading the default route')).stdout || '[]') as { dev?: string }[];
  const pod = podInterfaceOf(links, routes[0]?.dev);
  if (!pod) throw new BerthError('AGENT', `cannot tell the pod's own interface among ${links.map((l) => l.ifname).join(', ') || 'none'}`);
  // Checked before anything is built: with an overlap the bridge's /30 would hide those pod-network
  // addresses (perhaps the pod's gateway) from the VM.
  const overlaps = overlapsWithVmNetwork(links, vm.vmIp, [BRIDGE_DEVICE, TAP_DEVICE]);
  if (overlaps.length > 0) {
    throw new BerthError('AGENT', `the VM's private network ${vm.vmGateway}/${VM_PREFIX} collides with the pod network (${overlaps.join(', ')})`, {
      hint: `choose a /30 outside it: annotate the VM's pod template with ${Annotations.podVmGateway}=A.B.C.1 and ${Annotations.podVmIp}=A.B.C.2 (kubectl patch statefulset NAME -p '{"spec":{"template":{"metadata":{"annotations":{…}}}}}')`,
    });
  }
  const plan: PodNetworkPlan = { podInterface: pod.link.ifname, podIp: pod.ip, mtu: pod.link.mtu, ...vm, ...VM_USER };
  for (const { argv, what } of setupCommands(plan)) await must(argv, what);
  // connections tracked before the DNAT existed would keep bypassing it
  const flushed = await exec(['conntrack', '-F']);
  if (flushed.exitCode !== 0) log(`warning: could not flush conntrack: ${flushed.stderr.trim()}`);
  return plan;
}

async function removeLeftovers(exec: Exec, must: Must): Promise<void> {
  for (const link of [TAP_DEVICE, BRIDGE_DEVICE]) {
    if ((await exec(['ip', 'link', 'show', 'dev', link])).exitCode === 0) await must(['ip', 'link', 'del', link], `deleting the leftover ${link}`);
  }
  const listings = new Map<string, string>();
  for (const table of NAT_TABLES) listings.set(table, (await exec([IPTABLES_BINARY, '-w', '-t', table, '-S'])).stdout);
  for (const rule of natTeardownRules(listings)) await must([IPTABLES_BINARY, ...rule], 'removing the NAT rules');
}
