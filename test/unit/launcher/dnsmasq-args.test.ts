import assert from 'node:assert/strict';
import { dnsmasqArgs, type DnsmasqPlan } from '../../../agent/launcher/dnsmasq-args.js';

const plan: DnsmasqPlan = {
  bridge: 'berth-br0',
  vmIp: '192.168.254.2',
  gateway: '192.168.254.1',
  mac: '52:54:00:aa:bb:cc',
  nameservers: ['10.96.0.10'],
  searchDomains: ['team-a.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
  mtu: 1450,
  leaseFile: '/run/berth/dnsmasq.leases',
};

describe('dnsmasq args', () => {
  it('serves one fixed lease on the bridge and no DNS', () => {
    const args = dnsmasqArgs(plan);
    assert.ok(args.includes('--interface=berth-br0'));
    assert.ok(args.includes('--bind-interfaces'));
    assert.ok(args.includes('--port=0'), 'DNS service disabled');
    assert.ok(args.includes('--keep-in-foreground'), 'must stay the launcher\'s child');
    assert.ok(args.includes('--dhcp-range=192.168.254.2,192.168.254.2,255.255.255.252,infinite'));
    assert.ok(args.includes('--dhcp-host=52:54:00:aa:bb:cc,192.168.254.2'));
    assert.ok(args.includes('--dhcp-option=option:router,192.168.254.1'));
    assert.ok(args.includes('--dhcp-leasefile=/run/berth/dnsmasq.leases'));
  });

  it("hands on the pod's nameservers, search domains and MTU", () => {
    const args = dnsmasqArgs(plan);
    assert.ok(args.includes('--dhcp-option=option:dns-server,10.96.0.10'));
    assert.ok(args.includes('--dhcp-option=option:domain-search,team-a.svc.cluster.local,svc.cluster.local,cluster.local'));
    assert.ok(args.includes('--dhcp-option=option:domain-name,team-a.svc.cluster.local'));
    assert.ok(args.includes('--dhcp-option=option:mtu,1450'));
  });

  it('omits DNS options the pod does not have', () => {
    const args = dnsmasqArgs({ ...plan, nameservers: [], searchDomains: [] });
    assert.equal(args.filter((a) => /dns-server|domain-search|domain-name/.test(a)).length, 0);
  });
});
