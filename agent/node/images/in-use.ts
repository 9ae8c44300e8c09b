// Which cached bases VMs still use. A VM names its base by sha256 in the launcher's environment,
// so the API server (not a scan of /proc) is the source of truth: it is right even while a pod is
// being created and before QEMU has opened the file. Live pods on this node are not enough: a
// stopped VM (replicas 0) has no pod, yet its pet disk is an overlay on the base and would be
// useless without it, so every VM StatefulSet in the cluster counts too, wherever it last ran.
import type { PodLike, StatefulSetLike } from '../kube.js';
import { LauncherEnv } from '../../../shared/contract.js';

function addBases(spec: PodLike['spec'], into: Set<string>): void {
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  for (const container of containers) {
    for (const env of container.env ?? []) {
      if (env.name === LauncherEnv.imageSha256 && env.value && /^[0-9a-fA-F]{64}$/.test(env.value)) into.add(env.value.toLowerCase());
    }
  }
}

/** sha256 of every base image named by a live VM pod (pending or running) or by a VM StatefulSet. */
export function imagesInUse(pods: PodLike[], statefulSets: StatefulSetLike[] = []): Set<string> {
  const inUse = new Set<string>();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    addBases(pod.spec, inUse);
  }
  for (const sts of statefulSets) addBases(sts.spec?.template?.spec, inUse);
  return inUse;
}
