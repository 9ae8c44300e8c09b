// The running pod of a VM, for every command that reaches into it (ssh, vnc, console, port-forward).
import type { V1Pod } from '@kubernetes/client-node';
import { BerthError } from '../errors.js';
import { checkVmName, vmPodName } from '../core/names.js';
import { isBerthVm } from '../core/vm-labels.js';
import { deriveVmState } from '../core/vm-status.js';
import type { Connection } from './connect.js';
import { kubeApis, readOptional, readVm, vmNotFound } from './vm-objects.js';

export interface FindVmPodOptions {
  namespace?: string;
  /** Also require the pod to be Ready (the guest answered its readiness probe). Default false. */
  ready?: boolean;
}

/**
 * The pod of VM `name` when it is running. Throws INVALID_NAME (exit 2), VM_NOT_FOUND (exit 3) or
 * VM_NOT_RUNNING (exit 4), each with a hint. Costs one GET when the VM runs, two otherwise.
 */
export async function findVmPod(conn: Connection, name: string, options: FindVmPodOptions = {}): Promise<V1Pod> {
  const vm = checkVmName(name);
  const namespace = options.namespace ?? conn.namespace;
  const apis = await kubeApis(conn);
  const found = await readOptional(conn, `read the pod of VM '${vm}'`, () =>
    apis.core.readNamespacedPod({ name: vmPodName(vm), namespace }),
  );
  const pod = found && isBerthVm(found.metadata?.labels) ? found : undefined;
  const running = pod?.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;
  if (pod && running && !options.ready) return pod;
  const sts = await readVm(conn, apis, vm, namespace);
  if (!sts) throw vmNotFound(vm, namespace);
  const state = deriveVmState(sts, pod);
  if (state.status === 'Stopped' || state.status === 'Stopping') {
    throw new BerthError('VM_NOT_RUNNING', `VM '${vm}' is ${state.status.toLowerCase()}`, {
      hint: `start it with: kubectl berth start ${vm}${namespace !== conn.namespace ? ` -n ${namespace}` : ''}`,
    });
  }
  if (pod && running && (!options.ready || state.status === 'Running')) return pod;
  throw new BerthError('VM_NOT_RUNNING', `VM '${vm}' is not running yet (${state.status}${state.reason ? `: ${state.reason}` : ''})`, {
    hint: [`wait for it with: kubectl berth start ${vm} --wait`, `see why with: kubectl describe pod ${vmPodName(vm)} -n ${namespace}`],
  });
}
