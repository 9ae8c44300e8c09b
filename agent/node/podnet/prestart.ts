// Wires prepareVmPod to the real node: the kubelet's PodResources socket, the API server (to read
// the pod's UID and its VM addresses), /proc (to find the pod's network namespace) and nsenter.
import { run } from '../../common/exec.js';
import type { PreStart } from '../deviceplugin/server.js';
import type { AgentKube } from '../kube.js';
import { listPodResources } from './pod-resources.js';
import { inNetns, plumbPodNetwork } from './plumb.js';
import { prepareVmPod } from './prepare.js';
import { findPodNetns } from './sandbox.js';

export function vmNetworkPreStart(podResourcesSocket: string, kube: Pick<AgentKube, 'readPod'>, log: (message: string) => void): PreStart {
  return (deviceIds) =>
    prepareVmPod(deviceIds, {
      listPodResources: () => listPodResources(podResourcesSocket),
      async readPod(namespace, name, container) {
        const pod = await kube.readPod(namespace, name);
        const env = pod.spec?.containers?.find((c) => c.name === container)?.env ?? [];
        return {
          uid: pod.metadata?.uid ?? '',
          env: Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!])),
        };
      },
      findPodNetns: (uid) => findPodNetns(uid),
      plumb: async (netns, vm) => {
        await plumbPodNetwork(inNetns(run, netns.path), vm, log);
      },
      log,
    });
}
