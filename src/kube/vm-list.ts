// Listing VMs for `ls`: two LIST calls in all (StatefulSets and pods), never a request per VM,
// served by whichever client the ClusterReader chose.
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { allVmsSelector } from '../core/vm-labels.js';
import { toBerthError } from './errors.js';
import type { ClusterReader } from './reader.js';

export interface VmListing {
  statefulSets: V1StatefulSet[];
  pods: V1Pod[];
}

export interface ListOptions {
  allNamespaces?: boolean;
  /** A user's label selector, applied to the StatefulSets. */
  selector?: string;
}

/** Every VM in the reader's namespace (or all namespaces) with their pods. */
export async function listVms(reader: ClusterReader, options: ListOptions = {}): Promise<VmListing> {
  const namespace = options.allNamespaces ? undefined : reader.namespace;
  const list = async (kind: 'statefulsets' | 'pods', selector: string) => {
    try {
      return await reader.list(kind, namespace, selector);
    } catch (error) {
      throw toBerthError(error, { action: 'list VMs', namespace: reader.namespace, server: reader.server });
    }
  };
  const [statefulSets, pods] = await Promise.all([list('statefulsets', allVmsSelector(options.selector)), list('pods', allVmsSelector())]);
  return { statefulSets: statefulSets as V1StatefulSet[], pods: pods as V1Pod[] };
}
