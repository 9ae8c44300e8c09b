import assert from 'node:assert/strict';
import { vmMac } from '../../../../agent/launcher/mac.js';

describe('VM MAC address', () => {
  it('is stable for one VM identity', () => {
    assert.equal(vmMac('team-a', 'web-1'), vmMac('team-a', 'web-1'));
  });

  it('differs between VMs and between namespaces', () => {
    const macs = new Set([vmMac('team-a', 'web-1'), vmMac('team-a', 'web-2'), vmMac('team-b', 'web-1')]);
    assert.equal(macs.size, 3);
  });

  it("is a unicast, locally administered address under QEMU's prefix", () => {
    const mac = vmMac('team-a', 'web-1');
    assert.match(mac, /^52:54:00(:[0-9a-f]{2}){3}$/);
    const first = parseInt(mac.slice(0, 2), 16);
    assert.equal(first & 1, 0, 'unicast');
    assert.equal(first & 2, 2, 'locally administered');
  });
});
