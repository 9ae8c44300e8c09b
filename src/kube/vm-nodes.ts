// The nodes a VM may run on (src/core/node-room.ts says which): create checks that one can hold the
// VM, and create and resize bound the VM's room to grow by the largest of them.
import type { V1Node } from '@kubernetes/client-node';
import type { Connection } from './connect.js';
import { apiStatus, toBerthError } from './errors.js';
import { apiContext, type KubeApis } from './vm-objects.js';

/** The nodes, or why they could not be listed (a user without the berth-cluster-viewer role). */
export type VmNodes = { nodes: V1Node[]; why?: undefined } | { nodes?: undefined; why: string };

/**
 * Lists the nodes `labelSelector` picks. Not being allowed to is an answer (`why`), since VM users
 * need not read nodes; any other failure is thrown, except in a dry run, which must not fail or
 * hang on an unreachable cluster: it gives up after `dryRunWaitMs` and says why.
 */
export async function listVmNodes(conn: Connection, apis: KubeApis, labelSelector: string, options: { dryRun?: boolean; dryRunWaitMs?: number } = {}): Promise<VmNodes> {
  const read = Promise.resolve().then(() => apis.core.listNode({ labelSelector })).then(
    (list): VmNodes => ({ nodes: list.items }),
    (error: unknown): VmNodes => {
      if (apiStatus(error)?.code === 403) return { why: 'not allowed to list nodes' };
      if (options.dryRun) return { why: `the nodes could not be read (${(error as Error).message.split('\n')[0]})` };
      throw toBerthError(error, apiContext(conn, 'list nodes'));
    },
  );
  if (!options.dryRun) return read;
  return Promise.race([read, new Promise<VmNodes>((done) => setTimeout(() => done({ why: 'the cluster did not answer' }), options.dryRunWaitMs ?? 5000).unref())]);
}
