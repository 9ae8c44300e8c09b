// What the agent does when the kubelet is about to start a container holding its tun device
// (PreStartContainer): find that pod, find its network namespace, and build the Berth network in
// it. The kubelet starts the container only after this returns, and reports an error from here as
// the container's start failure (an event on the pod), so the launcher never runs without its
// network. Everything comes from the node itself (the kubelet's PodResources, the container
// runtime, /proc), none from the API server. I/O comes in through `PrepareDeps`, so the order and
// the messages are testable.
import { BerthError } from '../../../shared/errors.js';
import { Annotations, DeviceResources } from '../../../shared/contract.js';
import { VM_DEFAULTS } from '../../../shared/defaults.js';
import type { PodNetns } from './sandbox.js';
import type { PodSandboxFacts } from './runtime.js';
import { holderOf, type PodResourcesList } from './pod-resources.js';
import type { VmAddresses } from './plumb.js';

export interface PrepareDeps {
  listPodResources(): Promise<PodResourcesList>;
  /** The pod's ready sandbox, from the container runtime; undefined when it has none. */
  findSandbox(namespace: string, name: string): Promise<PodSandboxFacts | undefined>;
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
  const sandbox = await deps.findSandbox(holder.namespace, holder.pod);
  if (!sandbox) throw new BerthError('AGENT', `the container runtime lists no ready sandbox for pod ${who}, so its network namespace cannot be found`);
  const netns = await deps.findPodNetns(sandbox.uid);
  if (!netns) throw new BerthError('AGENT', `no process of pod ${who} (uid ${sandbox.uid}) runs on this node, so its network namespace cannot be found`);
  const vm = vmAddresses(sandbox.annotations);
  await deps.plumb(netns, vm);
  deps.log(`network of ${who}: bridge and tap in ${netns.id} (pid ${netns.pid}), VM ${vm.vmIp} via ${vm.vmGateway}`);
}

/** The guest's addresses: the pod's annotations where set, else the defaults (as the launcher reads them). */
export function vmAddresses(annotations: Record<string, string>): VmAddresses {
  return {
    vmIp: annotations[Annotations.podVmIp]?.trim() || VM_DEFAULTS.vmIp,
    vmGateway: annotations[Annotations.podVmGateway]?.trim() || VM_DEFAULTS.vmGateway,
  };
}
