// The running pod of a VM, for every command that reaches into it (ssh, vnc, console, port-forward).
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { BerthError } from '../../shared/errors.js';
import { checkVmName, vmPodName } from '../core/names.js';
import { isBerthVm } from '../core/vm-labels.js';
import { deriveVmState } from '../core/vm-status.js';
import { toBerthError } from './errors.js';
import type { ClusterReader } from './reader.js';
import { vmNotFound } from './vm-objects.js';

export interface FindVmPodOptions {
  namespace?: string;
  /** Also require the pod to be Ready (the guest answered its readiness probe). Default false. */
  ready?: boolean;
}

/** The two reads findVmPod needs, from either client; undefined where the object does not exist. */
export interface VmLookup {
  /** The namespace commands act in when the user named none. */
  namespace: string;
  pod(namespace: string, name: string): Promise<V1Pod | undefined>;
  statefulSet(namespace: string, name: string): Promise<V1StatefulSet | undefined>;
}

/** A lookup through a ClusterReader (plain HTTPS where the kubeconfig allows it). */
export function readerLookup(reader: ClusterReader): VmLookup {
  const read = async <T>(kind: 'pods' | 'statefulsets', namespace: string, name: string, action: string): Promise<T | undefined> => {
    try {
      return (await reader.read(kind, namespace, name)) as T | undefined;
    } catch (error) {
      throw toBerthError(error, { action, namespace, server: reader.server });
    }
  };
  return {
    namespace: reader.namespace,
    pod: (namespace, name) => read<V1Pod>('pods', namespace, name, `read the pod ${name}`),
    statefulSet: (namespace, name) => read<V1StatefulSet>('statefulsets', namespace, name, `read VM '${name}'`),
  };
}

/**
 * The pod of VM `name` when it is running. Throws INVALID_NAME (exit 2), VM_NOT_FOUND (exit 3) or
 * VM_NOT_RUNNING (exit 4), each with a hint. Costs one GET when the VM runs, two otherwise.
 */
export async function findVmPod(lookup: VmLookup, name: string, options: FindVmPodOptions = {}): Promise<V1Pod> {
  const vm = checkVmName(name);
  const namespace = options.namespace ?? lookup.namespace;
  const found = await lookup.pod(namespace, vmPodName(vm));
  const pod = found && isBerthVm(found.metadata?.labels) ? found : undefined;
  const running = pod?.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;
  if (pod && running && !options.ready) return pod;
  const read = await lookup.statefulSet(namespace, vm);
  const sts = read && isBerthVm(read.metadata?.labels) ? read : undefined;
  if (!sts) throw vmNotFound(vm, namespace);
  const state = deriveVmState(sts, pod);
  if (state.status === 'Stopped' || state.status === 'Stopping') {
    throw new BerthError('VM_NOT_RUNNING', `VM '${vm}' is ${state.status.toLowerCase()}`, {
      hint: `start it with: kubectl berth start ${vm}${namespace !== lookup.namespace ? ` -n ${namespace}` : ''}`,
    });
  }
  if (pod && running && (!options.ready || state.status === 'Running')) return pod;
  throw new BerthError('VM_NOT_RUNNING', `VM '${vm}' is not running yet (${state.status}${state.reason ? `: ${state.reason}` : ''})`, {
    hint: [`wait for it with: kubectl berth start ${vm} --wait`, `see why with: kubectl describe pod ${vmPodName(vm)} -n ${namespace}`],
  });
}
