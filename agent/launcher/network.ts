// The launcher's side of the Berth network: the node agent built the bridge, the tap (owned by our
// uid) and the NAT in this pod's network namespace before the container started (agent/node/podnet),
// so the launcher, without NET_ADMIN, only checks that they are there and serves the guest its DHCP
// lease: the VM's address, the gateway on the bridge, the pod's DNS and MTU.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import { BRIDGE_DEVICE, TAP_DEVICE } from '../../shared/contract.js';
import { VM_NETMASK } from '../common/ipv4.js';
import type { Cleanup } from './cleanup.js';
import type { LauncherConfig } from './config.js';
import { startDhcpServer } from './dhcp-server.js';
import type { Log } from './log.js';
import { parseResolvConf } from './resolv-conf.js';

const SYS_NET = '/sys/class/net';

export async function joinPodNetwork(config: LauncherConfig, mac: string, log: Log, cleanup: Cleanup, sysNet = SYS_NET): Promise<void> {
  const mtu = Number((await readFile(join(sysNet, TAP_DEVICE, 'mtu'), 'utf8').catch(() => '')).trim());
  const bridge = await readFile(join(sysNet, BRIDGE_DEVICE, 'operstate'), 'utf8').catch(() => undefined);
  if (!mtu || bridge === undefined) {
    throw new BerthError('LAUNCHER', `the VM's network is not prepared: this pod has no ${TAP_DEVICE} and ${BRIDGE_DEVICE}`, {
      hint: "The berth agent on this node builds them before the VM container starts. Is it running and up to date? Run 'kubectl berth nodes' and 'kubectl -n berth-system logs ds/berth-agent'.",
    });
  }
  const dns = parseResolvConf(await readFile(config.paths.resolvConf, 'utf8').catch(() => ''));
  for (const skipped of dns.skipped) log('network', `not passing nameserver ${skipped} to the VM`);
  const dhcp = await startDhcpServer(
    {
      mac,
      vmIp: config.vmIp,
      netmask: VM_NETMASK,
      gateway: config.vmGateway,
      mtu,
      nameservers: dns.nameservers,
      searchDomains: dns.searchDomains,
    },
    log,
  );
  cleanup.add('DHCP server', () => dhcp.close());
  log('network', `DHCP serving ${config.vmIp} to ${mac} on ${TAP_DEVICE} (MTU ${mtu}); DNS ${dns.nameservers.join(', ') || 'none'}; search ${dns.searchDomains.join(' ') || 'none'}`);
}
