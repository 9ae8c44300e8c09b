import assert from 'node:assert/strict';
import { Annotations, DeviceResources } from '../../../../../shared/contract.js';
import { prepareVmPod, type PrepareDeps } from '../../../../../agent/node/podnet/prepare.js';

const UID = 'aed6d05a-be23-457e-9ef8-045262f0aed8';

function deps(overrides: Partial<PrepareDeps> = {}): PrepareDeps & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    listPodResources: async () => ({
      pod_resources: [{ name: 'web-0', namespace: 'team-a', containers: [{ name: 'vm', devices: [{ resource_name: DeviceResources.tun, device_ids: ['tun-004'] }] }] }],
    }),
    findSandbox: async (ns, name) => {
      calls.push(`sandbox ${ns}/${name}`);
      return { uid: UID, annotations: {} };
    },
    findPodNetns: async (uid) => {
      calls.push(`netns ${uid}`);
      return { pid: 9209, path: '/proc/9209/ns/net', id: 'net:[4026532238]' };
    },
    plumb: async (netns, vm) => {
      calls.push(`plumb ${netns.path} ${vm.vmIp} ${vm.vmGateway}`);
    },
    log: (m) => calls.push(`log ${m}`),
    ...overrides,
  };
}

describe('preparing a VM pod before its container starts', () => {
  it('finds the pod by its device, then its namespace, then builds the network with the default addresses', async () => {
    const d = deps();
    await prepareVmPod(['tun-004'], d);
    assert.deepEqual(d.calls, [
      'sandbox team-a/web-0',
      `netns ${UID}`,
      'plumb /proc/9209/ns/net 192.168.254.2 192.168.254.1',
      'log network of team-a/web-0: bridge and tap in net:[4026532238] (pid 9209), VM 192.168.254.2 via 192.168.254.1',
    ]);
  });

  it("uses the VM's own /30 when its pod's annotations set one", async () => {
    const d = deps({ findSandbox: async () => ({ uid: UID, annotations: { [Annotations.podVmIp]: '10.99.0.2', [Annotations.podVmGateway]: '10.99.0.1' } }) });
    await prepareVmPod(['tun-004'], d);
    assert.ok(d.calls.includes('plumb /proc/9209/ns/net 10.99.0.2 10.99.0.1'), d.calls.join('\n'));
  });

  it('says which step found nothing', async () => {
    await assert.rejects(prepareVmPod(['tun-009'], deps()), /PodResources lists no container holding devices.berth.dev\/tun tun-009/);
    await assert.rejects(prepareVmPod(['tun-004'], deps({ findSandbox: async () => undefined })), /the container runtime lists no ready sandbox for pod team-a\/web-0/);
    await assert.rejects(prepareVmPod(['tun-004'], deps({ findPodNetns: async () => undefined })), new RegExp(`no process of pod team-a/web-0 \\(uid ${UID}\\) runs on this node`));
  });
});
