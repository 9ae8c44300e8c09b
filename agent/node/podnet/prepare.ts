// What the agent does when the kubelet is about to start a container holding its tun device
// (PreStartContainer): find that pod, find its network namespace, and build the Berth network in
// it. The kubelet starts the container only after this returns, and reports an error from here as
// the container's start failure (an event on the pod), so the launcher never runs without its
// network. I/O comes in through `PrepareDeps`, so the order and the messages are testable.
import { BerthError } from '../../../shared/errors.js';
import { DeviceResources, LauncherEnv } from '../../../shared/contract.js';
import { VM_DEFAULTS } from '../../../shared/defaults.js';
import type { PodNetns } from './sandbox.js';
import { holderOf, type PodResourcesList } from './pod-resources.js';
import type { VmAddresses } from './plumb.js';

export interface VmPodFacts {
  uid: string;
  /** Literal env values of the container (valueFrom entries are left out). */
  env: Record<string, string>;
}

export interface PrepareDeps {
  listPodResources(): Promise<PodResourcesList>;
  readPod(namespace: string, name: string, container: string): Promise<VmPodFacts>;
  findPodNetns(uid: string): Promise<PodNetns | undefined>;
  plumb(netns: PodNetns, vm: VmAddresses): Promise<void>;
  log(message: string): void;
}

export async function prepareVmPod(deviceIds: readonly string[], deps: PrepareDeps): Promise<void> {
  const holder = holderOf(await deps.listPodResources(), DeviceResources.tun, deviceIds);
  if (!holder) {
    throw new BerthError('AGENT', `the kubelet's PodResources lists no container holding ${DeviceResources.tun} ${deviceIds.join(', ')}`);
  }
  const who = `${holder.namespace}/${holder.pod}`;
  const pod = await deps.readPod(holder.namespace, holder.pod, holder.container);
  const netns = await deps.findPodNetns(pod.uid);
  if (!netns) throw new BerthError('AGENT', `no process of pod ${who} (uid ${pod.uid}) runs on this node, so its network namespace cannot be found`);
  const vm = { vmIp: pod.env[LauncherEnv.vmIp] || VM_DEFAULTS.vmIp, vmGateway: pod.env[LauncherEnv.vmGateway] || VM_DEFAULTS.vmGateway };
  await deps.plumb(netns, vm);
  deps.log(`network of ${who}: bridge and tap in ${netns.id} (pid ${netns.pid}), VM ${vm.vmIp} via ${vm.vmGateway}`);
}
