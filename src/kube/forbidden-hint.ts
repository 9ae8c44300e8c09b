// A forbidden request from a VM command names the ClusterRole that grants the command
// (manifests/user-rbac.yaml), so whoever reads the error knows what to ask a cluster admin for. Pure.
import { UserRoles } from '../../shared/contract.js';

/** oclif command ids (topics joined by ':') and the role that lets them run in a namespace. */
const ROLE_OF_COMMAND: Record<string, string> = {
  ls: UserRoles.vmViewer,
  ...Object.fromEntries(
    ['create', 'stop', 'start', 'restart', 'purge', 'ssh', 'scp', 'port-forward', 'vnc', 'vnc:port-forward', 'console'].map((id) => [id, UserRoles.vmAdmin]),
  ),
};

/**
 * The hint for a FORBIDDEN error of `commandId`, or undefined when no shipped role helps: other
 * commands, and requests at the cluster scope (ls -A), which a RoleBinding cannot grant.
 */
export function forbiddenRoleHint(commandId: string | undefined, message: string): string | undefined {
  const role = commandId === undefined ? undefined : ROLE_OF_COMMAND[commandId];
  if (!role || /at the cluster scope/.test(message)) return undefined;
  const also = role === UserRoles.vmViewer ? ` (or ${UserRoles.vmAdmin})` : '';
  return `the ClusterRole ${role}${also} grants this in a namespace: kubectl create rolebinding ${role} --clusterrole=${role} --user=USER -n NAMESPACE`;
}
