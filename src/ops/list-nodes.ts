// `nodes`: one row per node, with what its agent proved about KVM.
import type { Connection } from '../kube/connect.js';
import { listNodeFacts } from '../images/catalog-api.js';
import { buildNodeRows, type NodeRow } from '../images/node-rows.js';

export async function listNodeRows(conn: Connection): Promise<NodeRow[]> {
  return buildNodeRows(await listNodeFacts(conn));
}
