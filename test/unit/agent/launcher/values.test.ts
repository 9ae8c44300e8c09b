import assert from 'node:assert/strict';
import { formatIpv4, parseIpv4, slash30Problem } from '../../../../agent/common/ipv4.js';
import { normalizeVncPassword } from '../../../../agent/launcher/vnc-password.js';

describe('launcher value parsing', () => {
  it('parses and formats IPv4', () => {
    assert.equal(formatIpv4(parseIpv4('192.168.254.2')!), '192.168.254.2');
    for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', 'a.b.c.d', '']) assert.equal(parseIpv4(bad), undefined, bad);
  });

  it('knows a valid /30 pair', () => {
    assert.equal(slash30Problem(parseIpv4('192.168.254.1')!, parseIpv4('192.168.254.2')!), undefined);
    assert.match(slash30Problem(parseIpv4('192.168.254.0')!, parseIpv4('192.168.254.2')!)!, /gateway is the network address/);
  });

  it('normalizes the VNC password', () => {
    assert.deepEqual(normalizeVncPassword('secret12\n'), { password: 'secret12' });
    assert.match(normalizeVncPassword('\n').error!, /empty/);
    assert.match(normalizeVncPassword('a\nb').error!, /several lines/);
    assert.match(normalizeVncPassword('longer-than-eight').warning!, /first 8 characters/);
  });
});
