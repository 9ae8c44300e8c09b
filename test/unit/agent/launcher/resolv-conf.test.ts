import assert from 'node:assert/strict';
import { parseResolvConf } from '../../../../agent/launcher/resolv-conf.js';

describe('pod resolv.conf', () => {
  it('reads a kubelet-written resolv.conf', () => {
    const dns = parseResolvConf('search team-a.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    assert.deepEqual(dns, {
      nameservers: ['10.96.0.10'],
      searchDomains: ['team-a.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      skipped: [],
    });
  });

  it('skips nameservers the VM cannot reach, and comments', () => {
    const dns = parseResolvConf('# generated\nnameserver 127.0.0.53\nnameserver fd00::10\nnameserver 10.0.0.2 ; main\nnameserver 10.0.0.2\n');
    assert.deepEqual(dns.nameservers, ['10.0.0.2']);
    assert.equal(dns.skipped.length, 2);
  });

  it('uses domain when there is no search line, and the last search line wins', () => {
    assert.deepEqual(parseResolvConf('domain corp.example\n').searchDomains, ['corp.example']);
    assert.deepEqual(parseResolvConf('search a.example\nsearch b.example\n').searchDomains, ['b.example']);
    assert.deepEqual(parseResolvConf('').searchDomains, []);
  });
});
