// Listing VMs for `ls`: two LIST calls (StatefulSets and pods), served by whichever client the
// ClusterReader chose; a third, of the StatefulSets' events, only when some VM should have a pod
// and has none (create-failure.ts); and one log read per VM whose launcher runs before its guest
// answers (it may be fetching the base image), so the common case, every VM running, costs
// nothing more.
import type { CoreV1Event, V1Pod, V1ServiceAccount, V1StatefulSet } from '@kubernetes/client-node';
import { needsGuestShutdownMarks } from '../core/guest-shutdown.js';
import { statefulSetEventSelector } from '../core/create-failure.js';
import { allVmsSelector } from '../core/vm-labels.js';
import { needsCreateEvents } from '../core/vm-summary.js';
import { LAUNCHER_LOG_TAIL_LINES, mayFetchBase } from '../core/vm-status.js';
import { VM_CONTAINER } from '../../shared/contract.js';
import { toBerthError } from './errors.js';
import type { ClusterReader, ListedKind, Selectors } from './reader.js';

export interface VmListing {
  statefulSets: V1StatefulSet[];
  pods: V1Pod[];
  /** Events about StatefulSets; empty unless some VM is missing its pod. */
  events: CoreV1Event[];
  /** The VM container's log tail by namespace/pod name, for pods where mayFetchBase. */
  logTails: Map<string, string>;
  /** The VMs' guest-shutdown ServiceAccounts; empty unless a VM with --on-guest-shutdown stop is stopped. */
  accounts: V1ServiceAccount[];
}

export interface ListOptions {
  allNamespaces?: boolean;
  /** A user's label selector, applied to the StatefulSets. */
  selector?: string;
}

/** Every VM in the reader's namespace (or all namespaces) with their pods. */
export async function listVms(reader: ClusterReader, options: ListOptions = {}): Promise<VmListing> {
  const namespace = options.allNamespaces ? undefined : reader.namespace;
  const list = async (kind: ListedKind, selectors: Selectors) => {
    try {
      return await reader.list(kind, namespace, selectors);
    } catch (error) {
      throw toBerthError(error, { action: 'list VMs', namespace: reader.namespace, server: reader.server });
    }
  };
  const [listed, listedPods] = await Promise.all([list('statefulsets', { labelSelector: allVmsSelector(options.selector) }), list('pods', { labelSelector: allVmsSelector() })]);
  const statefulSets = listed as V1StatefulSet[];
  const pods = listedPods as V1Pod[];
  const [events, logTails, accounts] = await Promise.all([
    // The events only explain a missing pod; a reader who may not list them (a custom role) still
    // gets the listing, with the pod shown as missing (Pending NoPod) as before.
    needsCreateEvents(statefulSets, pods) ? reader.list('events', namespace, { fieldSelector: statefulSetEventSelector() }).catch(() => []) : [],
    launcherLogTails(reader, pods),
    // Who stopped a VM made with --on-guest-shutdown stop (guest-shutdown.ts); without the right
    // to list ServiceAccounts, such a VM shows Stopped without saying by whom.
    needsGuestShutdownMarks(statefulSets) ? reader.list('serviceaccounts', namespace, { labelSelector: allVmsSelector() }).catch(() => []) : [],
  ]);
  return { statefulSets, pods, events: events as CoreV1Event[], logTails, accounts: accounts as V1ServiceAccount[] };
}

/** Best effort: a reader who may not read pods/log sees such a VM as GuestBooting. */
async function launcherLogTails(reader: ClusterReader, pods: V1Pod[]): Promise<Map<string, string>> {
  const tails = new Map<string, string>();
  await Promise.all(
    pods.filter(mayFetchBase).map(async (pod) => {
      const namespace = pod.metadata?.namespace ?? '';
      const name = pod.metadata?.name ?? '';
      const tail = await reader.logTail(namespace, name, VM_CONTAINER, LAUNCHER_LOG_TAIL_LINES).catch(() => undefined);
      if (tail !== undefined) tails.set(`${namespace}/${name}`, tail);
    }),
  );
  return tails;
}
