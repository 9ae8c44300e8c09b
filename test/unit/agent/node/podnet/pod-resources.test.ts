import assert from 'node:assert/strict';
import { holderOf, type PodResourcesList } from '../../../../../agent/node/podnet/pod-resources.js';

// The shape the kubelet answered on the 1.37 test cluster, trimmed.
const list: PodResourcesList = {
  pod_resources: [
    { name: 'coredns-0', namespace: 'kube-system', containers: [{ name: 'coredns', devices: [] }] },
    {
      name: 'web-0',
      namespace: 'team-a',
      containers: [
        { name: 'sidecar', devices: [] },
        { name: 'vm', devices: [{ resource_name: 'devices.berth.dev/kvm', device_ids: ['kvm-003'] }, { resource_name: 'devices.berth.dev/tun', device_ids: ['tun-007'] }] },
      ],
    },
  ],
};

describe('the pod holding a device (PodResources)', () => {
  it('names the pod and container holding one of the device IDs of that resource', () => {
    assert.deepEqual(holderOf(list, 'devices.berth.dev/tun', ['tun-007']), { namespace: 'team-a', pod: 'web-0', container: 'vm' });
    assert.deepEqual(holderOf(list, 'devices.berth.dev/tun', ['tun-001', 'tun-007']), { namespace: 'team-a', pod: 'web-0', container: 'vm' });
  });

  it('finds nobody for an ID of another resource, an unknown ID or an empty answer', () => {
    assert.equal(holderOf(list, 'devices.berth.dev/tun', ['kvm-003']), undefined);
    assert.equal(holderOf(list, 'devices.berth.dev/tun', ['tun-008']), undefined);
    assert.equal(holderOf({}, 'devices.berth.dev/tun', ['tun-007']), undefined);
  });
});
