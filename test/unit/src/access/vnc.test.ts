import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { checkVncAddress, proxyOnlyJson, vncMode, vncPasswordNote, vncUrl } from '../../../../src/access/vnc.js';
import { LauncherEnv } from '../../../../shared/contract.js';

function pod(vnc?: string, container = 'vm'): V1Pod {
  return { spec: { containers: [{ name: container, env: vnc === undefined ? [] : [{ name: LauncherEnv.vnc, value: vnc }] }] } };
}

describe('access: VNC address and password note', () => {
  it('writes vnc:// URLs, with brackets for IPv6', () => {
    assert.equal(vncUrl('127.0.0.1', 5901), 'vnc://127.0.0.1:5901');
    assert.equal(vncUrl('::1', 5901), 'vnc://[::1]:5901');
  });
  it("reads the VNC mode from the vm container's env; loopback when unset", () => {
    assert.equal(vncMode(pod()), 'loopback');
    assert.equal(vncMode(pod('password')), 'password');
    assert.equal(vncMode(pod('off')), 'off');
    assert.equal(vncMode(pod('password', 'sidecar')), 'loopback');
  });
  it('says where the password is, or that there is none', () => {
    assert.equal(vncPasswordNote('password', 'web-1', 'team-a'), "password: kubectl get secret web-1-cloudinit -n team-a -o jsonpath='{.data.vnc-password}' | base64 -d");
    assert.equal(vncPasswordNote('loopback', 'web-1', 'team-a'), "no password: VNC listens on the pod's loopback only");
  });
  it('prints address and port as JSON for --proxy-only', () => {
    assert.deepEqual(JSON.parse(proxyOnlyJson('127.0.0.1', 40000)), { address: '127.0.0.1', port: 40000 });
  });
  it('listens beyond loopback only when confirmed with --insecure-address, and says why not', () => {
    for (const address of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) assert.doesNotThrow(() => checkVncAddress(address, false), address);
    for (const address of ['0.0.0.0', '::', '192.168.1.20', 'my-laptop.local']) {
      assert.throws(
        () => checkVncAddress(address, false),
        (e: any) => e.oclif.exit === 2 && e.message.includes(`--address ${address} would open the VM's display to the network`) && /--insecure-address/.test(e.suggestions.join()),
        address,
      );
      assert.doesNotThrow(() => checkVncAddress(address, true), address);
    }
  });
});
