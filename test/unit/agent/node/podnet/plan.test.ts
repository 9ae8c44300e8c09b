import assert from 'node:assert/strict';
import { BRIDGE_DEVICE, TAP_DEVICE } from '../../../../../shared/contract.js';
import { podInterfaceOf, setupCommands } from '../../../../../agent/node/podnet/plan.js';
import type { IpAddrEntry } from '../../../../../agent/node/podnet/interfaces.js';

const eth0: IpAddrEntry = { ifname: 'eth0', mtu: 1450, addr_info: [{ family: 'inet', local: '10.244.0.7', prefixlen: 24 }] };
const lo: IpAddrEntry = { ifname: 'lo', mtu: 65536, addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] };
const net1: IpAddrEntry = { ifname: 'net1', mtu: 1500, addr_info: [{ family: 'inet', local: '172.20.0.9', prefixlen: 16 }] };

describe("the VM pod's network, planned by the agent", () => {
  const plan = { podInterface: 'eth0', podIp: '10.244.0.7', mtu: 1450, vmIp: '192.168.254.2', vmGateway: '192.168.254.1', uid: 107, gid: 107 };

  it('forwards, builds the bridge with the gateway, a tap owned by the VM uid, then the NAT', () => {
    const argv = setupCommands(plan).map((c) => c.argv.join(' '));
    assert.deepEqual(argv.slice(0, 6), [
      'sysctl -q -w net.ipv4.ip_forward=1',
      `ip link add ${BRIDGE_DEVICE} type bridge`,
      `ip addr add 192.168.254.1/30 dev ${BRIDGE_DEVICE}`,
      `ip link set ${BRIDGE_DEVICE} mtu 1450 up`,
      `ip tuntap add dev ${TAP_DEVICE} mode tap user 107 group 107`,
      `ip link set ${TAP_DEVICE} mtu 1450 master ${BRIDGE_DEVICE} up`,
    ]);
    const nat = argv.slice(6);
    assert.ok(nat.every((a) => a.startsWith('iptables -w ')), nat.join('\n'));
    assert.ok(nat.some((a) => a.includes('-j DNAT --to-destination 192.168.254.2')));
    assert.ok(nat.some((a) => a.includes('-j SNAT --to-source 10.244.0.7')));
    assert.ok(nat.some((a) => a.includes('--dport 5900 -j RETURN')), 'the display stays the pod’s');
  });

  it("finds the pod's own interface by the default route, else the only addressed one", () => {
    assert.deepEqual(podInterfaceOf([lo, eth0, net1], 'eth0'), { link: eth0, ip: '10.244.0.7' });
    assert.deepEqual(podInterfaceOf([lo, eth0, net1], 'net1'), { link: net1, ip: '172.20.0.9' });
    assert.deepEqual(podInterfaceOf([lo, eth0], undefined), { link: eth0, ip: '10.244.0.7' });
    assert.equal(podInterfaceOf([lo, eth0, net1], undefined), undefined, 'two candidates and no default route: no guess');
    const leftover: IpAddrEntry = { ifname: BRIDGE_DEVICE, mtu: 1450, addr_info: [{ family: 'inet', local: '192.168.254.1', prefixlen: 30 }] };
    assert.deepEqual(podInterfaceOf([lo, leftover, eth0], undefined), { link: eth0, ip: '10.244.0.7' }, 'our own bridge never counts');
  });
});
