// Wires prepareVmPod to the real node: the kubelet's PodResources socket (which pod holds the
// device), the container runtime's socket (that pod's UID and annotations), /proc (its network
// namespace) and nsenter. No API-server call: the agent has no right to read pods.
import { run } from '../../common/exec.js';
import type { PreStart } from '../deviceplugin/server.js';
import { listPodResources } from './pod-resources.js';
import { inNetns, plumbPodNetwork } from './plumb.js';
import { prepareVmPod } from './prepare.js';
import { findPodSandbox } from './runtime.js';
import { findPodNetns } from './sandbox.js';

export function vmNetworkPreStart(sockets: { podResources: string; runtime: string }, log: (message: string) => void): PreStart {
  return (deviceIds) =>
    prepareVmPod(deviceIds, {
      listPodResources: () => listPodResources(sockets.podResources),
      findSandbox: (namespace, name) => findPodSandbox(sockets.runtime, namespace, name),
      findPodNetns: (uid) => findPodNetns(uid),
      plumb: async (netns, vm) => {
        await plumbPodNetwork(inNetns(run, netns.path), vm, log);
      },
      log,
    });
}
