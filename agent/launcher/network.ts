// The Berth network inside the pod: a bridge holding the VM's gateway on a private /30, a tap for
// QEMU, dnsmasq handing the VM its address, and the NAT that gives the VM the pod's identity.
// Every step registers its undo before the next one runs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import { LauncherEnv } from '../../shared/contract.js';
import { startChild, stopChild } from './child.js';
import type { Cleanup } from './cleanup.js';
import type { LauncherConfig } from './config.js';
import { DNSMASQ_BINARY, dnsmasqArgs } from './dnsmasq-args.js';
import { mustRun, type Run } from './exec.js';
import { overlapsWithVmNetwork, podInterfaceOf, type IpAddrEntry } from './interfaces.js';
import { IPTABLES_BINARY, NAT_TABLES, natSetupRules, natTeardownRules } from './iptables-rules.js';
import { VM_PREFIX } from './ipv4.js';
import type { Log } from './log.js';
import { parseResolvConf } from './resolv-conf.js';

export const BRIDGE = 'berth-br0';
export const TAP = 'berth-tap0';
const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

export async function setUpNetwork(config: LauncherConfig, mac: string, run: Run, log: Log, cleanup: Cleanup): Promise<void> {
  await requireIpForward();
  const links = JSON.parse((await mustRun(run, 'ip', ['-j', '-4', 'addr', 'show'], 'listing the pod interfaces')).stdout) as IpAddrEntry[];
  const pod = podInterfaceOf(links, config.podIp);
  if (!pod) {
    throw new BerthError('LAUNCHER', `no interface in the pod holds the pod IP ${config.podIp}`, {
      hint: 'The pod IP comes from the downward API (status.podIP); a launcher run by hand needs the pod netns address.',
    });
  }
  // Checked before anything is changed, so a refusal leaves the pod as it was. With an overlap the
  // bridge's /30 would hide those pod-network addresses (perhaps the pod's gateway) from the VM.
  const overlaps = overlapsWithVmNetwork(links, config.vmIp, [BRIDGE]);
  if (overlaps.length > 0) {
    throw new BerthError('LAUNCHER', `the VM's private network ${config.vmGateway}/${VM_PREFIX} collides with the pod network (${overlaps.join(', ')})`, {
      hint: `choose a /30 outside it: set ${LauncherEnv.vmIp} and ${LauncherEnv.vmGateway} on the VM's StatefulSet (kubectl set env statefulset/NAME ${LauncherEnv.vmGateway}=A.B.C.1 ${LauncherEnv.vmIp}=A.B.C.2)`,
    });
  }
  const dns = parseResolvConf(await readFile(config.paths.resolvConf, 'utf8').catch(() => ''));
  for (const skipped of dns.skipped) log('network', `not passing nameserver ${skipped} to the VM`);

  await removeLeftovers(run, log);

  await mustRun(run, 'ip', ['link', 'add', BRIDGE, 'type', 'bridge'], 'creating the bridge');
  cleanup.add(`bridge ${BRIDGE}`, () => mustRun(run, 'ip', ['link', 'del', BRIDGE], 'deleting the bridge').then(() => undefined));
  await mustRun(run, 'ip', ['addr', 'add', `${config.vmGateway}/${VM_PREFIX}`, 'dev', BRIDGE], 'addressing the bridge');
  await mustRun(run, 'ip', ['link', 'set', BRIDGE, 'up'], 'bringing the bridge up');

  await mustRun(run, 'ip', ['tuntap', 'add', 'dev', TAP, 'mode', 'tap'], 'creating the tap device');
  cleanup.add(`tap ${TAP}`, () => mustRun(run, 'ip', ['link', 'del', TAP], 'deleting the tap').then(() => undefined));
  await mustRun(run, 'ip', ['link', 'set', TAP, 'mtu', String(pod.mtu), 'master', BRIDGE, 'up'], 'attaching the tap');
  log('network', `bridge ${BRIDGE} ${config.vmGateway}/${VM_PREFIX} with tap ${TAP} (MTU ${pod.mtu} from ${pod.ifname})`);

  cleanup.add('iptables rules', () => removeNat(run));
  for (const rule of natSetupRules({ podInterface: pod.ifname, podIp: config.podIp, vmIp: config.vmIp, bridge: BRIDGE })) {
    await mustRun(run, IPTABLES_BINARY, rule, 'adding the NAT rules');
  }
  log('network', `NAT: ${config.podIp} (all but TCP 5900) -> ${config.vmIp}, VM traffic leaves as ${config.podIp}`);
  // connections tracked before the DNAT existed would keep bypassing it
  const flushed = await run('conntrack', ['-F']);
  if (flushed.exitCode !== 0) log('network', `warning: could not flush conntrack: ${flushed.stderr.trim()}`);

  const args = dnsmasqArgs({
    bridge: BRIDGE,
    vmIp: config.vmIp,
    gateway: config.vmGateway,
    mac,
    nameservers: dns.nameservers,
    searchDomains: dns.searchDomains,
    mtu: pod.mtu,
    leaseFile: join(config.paths.run, 'dnsmasq.leases'),
  });
  const dnsmasq = startChild(DNSMASQ_BINARY, args, { stdin: 'ignore', stdout: 'ignore' });
  let stopping = false;
  cleanup.add('dnsmasq', () => {
    stopping = true;
    return stopChild(dnsmasq, 2000);
  });
  const early = await Promise.race([dnsmasq.exit, sleep(300).then(() => undefined)]);
  if (early !== undefined) throw new BerthError('LAUNCHER', `dnsmasq exited at start (status ${early}); its message is above`);
  void dnsmasq.exit.then((status) => {
    // the lease is infinite, so a running guest keeps its address; a rebooting one would get none
    if (!stopping) log('network', `warning: dnsmasq exited (status ${status}); a guest that reboots will not get an address`);
  });
  log('network', `dnsmasq serving ${config.vmIp} to ${mac}; DNS ${dns.nameservers.join(', ') || 'none'}; search ${dns.searchDomains.join(' ') || 'none'}`);
}

async function requireIpForward(): Promise<void> {
  const value = (await readFile(IP_FORWARD, 'utf8').catch(() => '')).trim();
  if (value !== '1') {
    throw new BerthError('LAUNCHER', `IPv4 forwarding is off in the pod (${IP_FORWARD} is ${value || 'unreadable'}); the VM's traffic cannot be routed`, {
      hint: 'Pods inherit net.ipv4.ip_forward=1 from a Kubernetes node; enable it on the node (sysctl -w net.ipv4.ip_forward=1) — an unprivileged pod cannot set it.',
    });
  }
}

async function removeNat(run: Run): Promise<void> {
  const listings = new Map<string, string>();
  for (const table of NAT_TABLES) listings.set(table, (await run(IPTABLES_BINARY, ['-w', '-t', table, '-S'])).stdout);
  for (const rule of natTeardownRules(listings)) await mustRun(run, IPTABLES_BINARY, rule, 'removing the NAT rules');
}

/** A launcher that was killed leaves its bridge, tap and rules in the pod's netns: remove them. */
async function removeLeftovers(run: Run, log: Log): Promise<void> {
  for (const link of [TAP, BRIDGE]) {
    if ((await run('ip', ['link', 'show', 'dev', link])).exitCode === 0) {
      log('network', `removing ${link} left over from an earlier run`);
      await mustRun(run, 'ip', ['link', 'del', link], `deleting the leftover ${link}`);
    }
  }
  await removeNat(run);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
