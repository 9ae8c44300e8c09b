import assert from 'node:assert/strict';
import { Chains, natSetupRules, natTeardownRules } from '../../../../../agent/node/podnet/iptables-rules.js';

const plan = { podInterface: 'eth0', podIp: '10.244.1.7', vmIp: '192.168.254.2', bridge: 'berth-br0' };

describe('iptables rules', () => {
  it('DNATs everything to the pod IP except TCP 5900, and SNATs the VM', () => {
    const rules = natSetupRules(plan).map((r) => r.join(' '));
    assert.deepEqual(rules, [
      '-w -t nat -N BERTH-DNAT',
      '-w -t nat -A BERTH-DNAT -p tcp --dport 5900 -j RETURN',
      '-w -t nat -A BERTH-DNAT -j DNAT --to-destination 192.168.254.2',
      '-w -t nat -A PREROUTING -i eth0 -d 10.244.1.7/32 -j BERTH-DNAT',
      '-w -t nat -N BERTH-SNAT',
      '-w -t nat -A BERTH-SNAT -s 192.168.254.2/32 -o eth0 -j SNAT --to-source 10.244.1.7',
      '-w -t nat -A POSTROUTING -j BERTH-SNAT',
      '-w -t filter -N BERTH-FORWARD',
      '-w -t filter -A BERTH-FORWARD -i berth-br0 -o eth0 -j ACCEPT',
      '-w -t filter -A BERTH-FORWARD -i eth0 -o berth-br0 -j ACCEPT',
      '-w -t filter -I FORWARD 1 -j BERTH-FORWARD',
    ]);
  });

  it('the 5900 exception comes before the DNAT in the same chain', () => {
    const rules = natSetupRules(plan).map((r) => r.join(' '));
    const vnc = rules.findIndex((r) => r.includes('--dport 5900 -j RETURN'));
    const dnat = rules.findIndex((r) => r.includes('-j DNAT'));
    assert.ok(vnc >= 0 && vnc < dnat);
  });

  it('removes jumps found in iptables -S output, then its own chains, and nothing else', () => {
    const nat = [
      '-P PREROUTING ACCEPT',
      '-N BERTH-DNAT',
      '-N BERTH-SNAT',
      '-N KUBE-SOMETHING',
      '-A PREROUTING -d 10.244.1.7/32 -i eth0 -j BERTH-DNAT',
      '-A PREROUTING -j KUBE-SOMETHING',
      '-A POSTROUTING -j BERTH-SNAT',
      '-A BERTH-DNAT -p tcp -m tcp --dport 5900 -j RETURN',
      '-A BERTH-DNAT -j DNAT --to-destination 192.168.254.2',
    ].join('\n');
    const filter = ['-P FORWARD ACCEPT', '-N BERTH-FORWARD', '-A FORWARD -j BERTH-FORWARD', '-A BERTH-FORWARD -i berth-br0 -o eth0 -j ACCEPT'].join('\n');
    const argv = natTeardownRules(new Map([['nat', nat], ['filter', filter]])).map((r) => r.join(' '));
    assert.deepEqual(argv, [
      '-w -t nat -D PREROUTING -d 10.244.1.7/32 -i eth0 -j BERTH-DNAT',
      '-w -t nat -D POSTROUTING -j BERTH-SNAT',
      '-w -t filter -D FORWARD -j BERTH-FORWARD',
      '-w -t nat -F BERTH-DNAT',
      '-w -t nat -X BERTH-DNAT',
      '-w -t nat -F BERTH-SNAT',
      '-w -t nat -X BERTH-SNAT',
      '-w -t filter -F BERTH-FORWARD',
      '-w -t filter -X BERTH-FORWARD',
    ]);
  });

  it('has nothing to remove from a clean pod', () => {
    assert.deepEqual(natTeardownRules(new Map([['nat', '-P PREROUTING ACCEPT'], ['filter', '']])), []);
  });

  it('owns exactly the chains it creates', () => {
    const created = natSetupRules(plan).filter((r) => r.includes('-N')).map((r) => r[r.indexOf('-N') + 1]);
    assert.deepEqual(created.sort(), Object.values(Chains).sort());
  });
});
