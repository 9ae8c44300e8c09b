// Which cached bases VMs on this node still use. A VM pod names its base by sha256 in the
// launcher's environment, so the API server (not a scan of /proc) is the source of truth: it is
// right even while a pod is being created and before QEMU has opened the file.
import type { PodLike } from '../kube.js';
import { LauncherEnv } from '../../../src/shared/keys.js';

/** sha256 of every base image named by a live VM pod (pending or running). */
export function imagesInUse(pods: PodLike[]): Set<string> {
  const inUse = new Set<string>();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    for (const container of containers) {
      for (const env of container.env ?? []) {
        if (env.name === LauncherEnv.imageSha256 && env.value && /^[0-9a-fA-F]{64}$/.test(env.value)) inUse.add(env.value.toLowerCase());
      }
    }
  }
  return inUse;
}
