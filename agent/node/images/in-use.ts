// Which cached bases VMs still use. A VM names its base by sha256 in its StatefulSet's pod
// template, so the API server is the source of truth: it is right even while a pod is being
// created and before QEMU has opened the file, and a stopped VM (replicas 0, no pod) still counts,
// because its pet disk is an overlay on the base and would be useless without it. Every VM
// StatefulSet in the cluster counts, wherever it last ran.
// The VM pods on this node come from the kubelet (PodResources: the pods holding our tun device),
// not from the API server, so the agent needs no right to read pods. A pod is matched to its
// StatefulSet by name (a StatefulSet's pod is <name>-<ordinal>); a VM pod whose StatefulSet is
// gone (purged while the pod still stops) makes the answer unknown, and then nothing is removed.
import { DeviceResources, LauncherEnv } from '../../../shared/contract.js';
import type { PodResourcesList } from '../podnet/pod-resources.js';
import type { PodSpecLike, StatefulSetLike } from '../kube.js';

const PINNED: readonly string[] = [LauncherEnv.imageSha256, LauncherEnv.cdromSha256];

function addBases(spec: PodSpecLike | undefined, into: Set<string>): void {
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  for (const container of containers) {
    for (const env of container.env ?? []) {
      // The install ISO (--cdrom) counts like the base: the VM reads it again at every start.
      if (PINNED.includes(env.name) && env.value && /^[0-9a-fA-F]{64}$/.test(env.value)) into.add(env.value.toLowerCase());
    }
  }
}

/** namespace/name of every pod on this node that holds our tun device: the VM pods. */
export function vmPodsOf(list: PodResourcesList): string[] {
  return (list.pod_resources ?? [])
    .filter((pod) => (pod.containers ?? []).some((c) => (c.devices ?? []).some((d) => d.resource_name === DeviceResources.tun)))
    .map((pod) => `${pod.namespace}/${pod.name}`);
}

/**
 * sha256 of every base image named by a VM StatefulSet. Throws when a VM pod on this node has no
 * StatefulSet: its base cannot be known, so the caller must not remove anything.
 */
export function imagesInUse(vmPodsOnNode: readonly string[], statefulSets: readonly StatefulSetLike[]): Set<string> {
  const inUse = new Set<string>();
  const owners = new Set<string>();
  for (const sts of statefulSets) {
    addBases(sts.spec?.template?.spec, inUse);
    owners.add(`${sts.metadata?.namespace}/${sts.metadata?.name}`);
  }
  for (const pod of vmPodsOnNode) {
    const owner = pod.replace(/-\d+$/, '');
    if (!owners.has(owner)) throw new Error(`VM pod ${pod} runs on this node but no VM StatefulSet ${owner} exists, so the base it uses is unknown`);
  }
  return inUse;
}
