// The ServiceAccount, Role and RoleBinding of a VM with --on-guest-shutdown stop (core/guest-shutdown.ts)
// on the cluster. They are made before the StatefulSet, whose pod names the ServiceAccount (a pod
// for a missing one is refused, and `create --wait` would stop at that refusal), then handed to the
// StatefulSet as their owner once it exists, so purge's deletion of the StatefulSet removes them.
import type { RbacAuthorizationV1Api, V1StatefulSet } from '@kubernetes/client-node';
import { BerthError } from '../../shared/errors.js';
import { UserRoles } from '../../shared/contract.js';
import { guestShutdownObjects, statefulSetOwner } from '../core/guest-shutdown.js';
import type { VmSpec } from '../core/vm-spec.js';
import type { Connection } from './connect.js';
import { apiStatus, toBerthError } from './errors.js';
import { apiContext } from './vm-objects.js';

export interface GuestShutdownAccess {
  /** Makes the StatefulSet their owner; a failure is a note (they then outlive a purge). */
  adopt(sts: V1StatefulSet | undefined): Promise<void>;
  /** Removes them again (the VM could not be created). */
  remove(): Promise<void>;
}

const kinds = ['ServiceAccount', 'Role', 'RoleBinding'] as const;

function forbidden(conn: Connection, error: unknown, what: string, namespace: string): BerthError {
  const e = toBerthError(error, apiContext(conn, `create ${what}`, { subject: what, namespace }));
  if (e.code !== 'FORBIDDEN') return e;
  return new BerthError('FORBIDDEN', `${e.message}`, {
    hint: [
      `--on-guest-shutdown stop gives the VM its own ServiceAccount, Role and RoleBinding, which needs the ClusterRole ${UserRoles.vmGuestStop} (part of admin): kubectl create rolebinding ${UserRoles.vmGuestStop} --clusterrole=${UserRoles.vmGuestStop} --user=USER -n ${namespace}`,
      'or create the VM without --on-guest-shutdown stop (a guest that powers off then boots again)',
    ],
  });
}

/** Creates the three objects (a server-side dry run of the first two before), or none for a VM that restarts. */
export async function createGuestShutdownAccess(conn: Connection, spec: VmSpec, note: (m: string) => void): Promise<GuestShutdownAccess | undefined> {
  const objects = guestShutdownObjects(spec);
  if (objects.length === 0) return undefined;
  const [account, role, binding] = objects;
  const namespace = spec.namespace;
  const name = account.metadata!.name!;
  const k8s = await import('@kubernetes/client-node');
  const core = await conn.api(k8s.CoreV1Api);
  const rbac: RbacAuthorizationV1Api = await conn.api(k8s.RbacAuthorizationV1Api);
  const made: (typeof kinds)[number][] = [];
  const remove = async () => {
    for (const kind of [...made].reverse()) {
      const gone = kind === 'ServiceAccount'
        ? core.deleteNamespacedServiceAccount({ name, namespace })
        : kind === 'Role' ? rbac.deleteNamespacedRole({ name, namespace }) : rbac.deleteNamespacedRoleBinding({ name, namespace });
      await gone.catch((error) => {
        if (apiStatus(error)?.code !== 404) note(`Warning: could not remove ${kind} '${name}' again; delete it with: kubectl delete ${kind.toLowerCase()} ${name} -n ${namespace}`);
      });
    }
  };
  for (const dryRun of ['All', undefined]) {
    const steps: [(typeof kinds)[number], () => Promise<unknown>][] = [
      ['ServiceAccount', () => core.createNamespacedServiceAccount({ namespace, body: account, dryRun })],
      ['Role', () => rbac.createNamespacedRole({ namespace, body: role, dryRun })],
      ['RoleBinding', () => rbac.createNamespacedRoleBinding({ namespace, body: binding, dryRun })],
    ];
    for (const [kind, step] of steps) {
      // The RoleBinding has no dry run: for a user who may not `bind` the Role, the API server's
      // escalation check reads the Role it names, which a dry run did not make (404). A refusal
      // of the real one removes the ServiceAccount and Role again.
      if (dryRun && kind === 'RoleBinding') continue;
      try {
        await step();
        if (!dryRun) made.push(kind);
      } catch (error) {
        await remove();
        if (apiStatus(error)?.code === 409) {
          throw new BerthError('ALREADY_EXISTS', `${kind} '${name}' already exists in namespace '${namespace}'`, {
            hint: `a leftover of an earlier VM '${spec.name}'; delete it first: kubectl delete serviceaccount,role,rolebinding ${name} -n ${namespace}`,
          });
        }
        throw forbidden(conn, error, `${kind} '${name}'`, namespace);
      }
    }
  }
  return {
    remove,
    async adopt(sts) {
      try {
        if (!sts?.metadata?.uid) throw new Error('the StatefulSet could not be read back');
        const opts = { name, namespace, body: { metadata: { ownerReferences: [statefulSetOwner(sts)] } } };
        const k8sMerge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
        await core.patchNamespacedServiceAccount(opts, k8sMerge);
        await rbac.patchNamespacedRole(opts, k8sMerge);
        await rbac.patchNamespacedRoleBinding(opts, k8sMerge);
      } catch (error) {
        note(`Warning: could not make VM '${spec.name}' the owner of ServiceAccount, Role and RoleBinding '${name}' (${(error as Error).message}); purge will not remove them: kubectl delete serviceaccount,role,rolebinding ${name} -n ${namespace}`);
      }
    },
  };
}
