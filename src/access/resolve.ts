// From what the user typed to the running pod to tunnel into: target, namespace, pod.
import type { V1Pod } from '@kubernetes/client-node';
import { BerthError } from '../../shared/errors.js';
import { findVmPod, type VmLookup } from '../kube/vm-pod.js';
import { parseTarget, targetNamespace, type VmTarget } from './target.js';

export interface ResolvedVm {
  target: VmTarget;
  name: string;
  namespace: string;
  pod: V1Pod;
  podName: string;
}

/** Checks what the user typed, before anything talks to the cluster. Pure. */
export function checkTarget(raw: string, options: { allowUser?: boolean } = {}): VmTarget {
  const target = parseTarget(raw);
  if (target.user !== undefined && !options.allowUser) {
    throw new BerthError('INVALID_NAME', `'${raw}' names a user, which only ssh and scp use`, { hint: `write just the VM: ${target.name}` });
  }
  return target;
}

/** Parses `[user@]name[.namespace]` and finds the VM's running pod (exit 3/4 with a hint if none). */
export async function resolveVm(
  lookup: VmLookup,
  connection: { namespace: string; namespaceWasSet: boolean },
  raw: string,
  options: { allowUser?: boolean } = {},
): Promise<ResolvedVm> {
  const target = checkTarget(raw, options);
  const namespace = targetNamespace(target, connection);
  const pod = await findVmPod(lookup, target.name, { namespace });
  return { target, name: target.name, namespace, pod, podName: pod.metadata!.name! };
}
