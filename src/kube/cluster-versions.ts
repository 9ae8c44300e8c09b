// What the cluster says about versions: the API server's /version, which every user may read (the
// built-in system:public-info-viewer), and the agent version each node carries. `version` reports
// both; install and create warn when the cluster is older than kubectl-berth supports.
import { agentVersionsOf, type AgentVersion } from '../version/report.js';
import { checkServerSupport, serverSupportNotice, type ServerSupport, type ServerVersionInfo } from '../version/server-support.js';
import type { Connection } from './connect.js';
import { toBerthError } from './errors.js';

/** GET /version through client-node; throws as any API call does. */
export async function readServerVersion(conn: Connection): Promise<ServerVersionInfo> {
  const k8s = await import('@kubernetes/client-node');
  return (await conn.api(k8s.VersionApi)).getCode();
}

/**
 * For the commands that change the cluster: the warning line when its Kubernetes is older than
 * the oldest supported minor, else undefined. Never fails: if /version cannot be read, the
 * command's own requests say why. Start it early and await it late, so it costs no time of its own.
 */
export async function olderServerWarning(conn: Connection): Promise<string | undefined> {
  try {
    const check = checkServerSupport(await readServerVersion(conn));
    const notice = check.status === 'older' ? serverSupportNotice(check) : undefined;
    return notice && `${notice.level}: ${notice.text}`;
  } catch {
    return undefined;
  }
}

export interface ClusterVersions {
  server?: ServerSupport;
  agentVersions?: AgentVersion[];
  /** Why some of it is unknown. */
  problem?: string;
}

/** The server's version and the agents' versions, asked at once; what could not be read is named. */
export async function readClusterVersions(connect: () => Promise<Connection>): Promise<ClusterVersions> {
  const why = (error: unknown, action: string) => toBerthError(error, { action }).message;
  let conn: Connection;
  try {
    conn = await connect();
  } catch (error) {
    return { problem: `server and agent versions unknown: ${why(error, 'connect')}` };
  }
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const listNodes = async () => (await conn.api(CoreV1Api)).listNode({});
  const [server, nodes] = await Promise.allSettled([readServerVersion(conn), listNodes()]);
  const found: ClusterVersions = {};
  if (server.status === 'fulfilled') found.server = checkServerSupport(server.value);
  if (nodes.status === 'fulfilled') found.agentVersions = agentVersionsOf(nodes.value.items);
  if (nodes.status === 'rejected') {
    found.problem = `${server.status === 'rejected' ? 'server and agent' : 'agent'} versions unknown: ${why(nodes.reason, 'list nodes')}`;
  } else if (server.status === 'rejected') {
    found.problem = `server version unknown: ${why(server.reason, 'read the server version')}`;
  }
  return found;
}
