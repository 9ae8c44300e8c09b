// Listing VMs for `ls`: two LIST calls (StatefulSets and pods), never a request per VM, served by
// whichever client the ClusterReader chose; a third, of the StatefulSets' events, only when some
// VM should have a pod and has none (create-failure.ts), so the common case costs nothing more.
import type { CoreV1Event, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { statefulSetEventSelector } from '../core/create-failure.js';
import { allVmsSelector } from '../core/vm-labels.js';
import { needsCreateEvents } from '../core/vm-summary.js';
import { toBerthError } from './errors.js';
import type { ClusterReader, ListedKind, Selectors } from './reader.js';

export interface VmListing {
  statefulSets: V1StatefulSet[];
  pods: V1Pod[];
  /** Events about StatefulSets; empty unless some VM is missing its pod. */
  events: CoreV1Event[];
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
  if (!needsCreateEvents(statefulSets, pods)) return { statefulSets, pods, events: [] };
  // The events only explain a missing pod; a reader who may not list them (a custom role) still
  // gets the listing, with the pod shown as missing (Pending NoPod) as before.
  const events = await reader.list('events', namespace, { fieldSelector: statefulSetEventSelector() }).catch(() => []);
  return { statefulSets, pods, events: events as CoreV1Event[] };
}
