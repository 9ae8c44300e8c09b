import assert from 'node:assert/strict';
import { overlapsWithVmNetwork, podInterfaceOf, type IpAddrEntry } from '../../../../../agent/node/podnet/interfaces.js';

const links: IpAddrEntry[] = [
  { ifname: 'lo', mtu: 65536, addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
  { ifname: 'eth0', mtu: 1450, addr_info: [{ family: 'inet', local: '10.244.1.7', prefixlen: 24 }] },
];

describe('pod interfaces', () => {
  it('finds the interface holding the pod IP', () => {
    assert.equal(podInterfaceOf(links, '10.244.1.7')?.ifname, 'eth0');
    assert.equal(podInterfaceOf(links, '10.244.1.8'), undefined);
  });

  it('reports pod subnets overlapping the VM /30', () => {
    assert.deepEqual(overlapsWithVmNetwork(links, '192.168.254.2', []), []);
    const wide = [...links, { ifname: 'net1', mtu: 1500, addr_info: [{ family: 'inet', local: '192.168.0.9', prefixlen: 16 }] }];
    assert.deepEqual(overlapsWithVmNetwork(wide, '192.168.254.2', []), ['net1 192.168.0.9/16']);
    assert.deepEqual(overlapsWithVmNetwork(wide, '192.168.254.2', ['net1']), []);
  });
});
