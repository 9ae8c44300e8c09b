// --on-guest-shutdown stop: who may scale the VM's StatefulSet to 0 when its guest powers itself
// off, and what `ls` then says. Pure.
//
// The launcher in the VM pod does it, with a ServiceAccount of this VM alone whose Role allows
// `patch` on the scale subresource of this one StatefulSet (resourceNames), `get` on it, and `patch`
// on that ServiceAccount (to leave the mark `ls` reads); nothing else: no write to the StatefulSet
// itself (whose pod template could mount any Secret of the namespace), no other VM. The token is projected, short-lived and mounted only in this pod (vm-statefulset.ts).
// The three objects are owned by the StatefulSet, so deleting the VM (purge) removes them. Made
// only for --on-guest-shutdown stop: a VM that restarts has no credentials at all. Why not the node
// agent, which has credentials already: README, "A guest's own shutdown".
import type { V1OwnerReference, V1Role, V1RoleBinding, V1ServiceAccount, V1StatefulSet } from '@kubernetes/client-node';
import { Annotations, GUEST_SHUTDOWN_GENERATION, Labels, guestShutdownAccountName } from '../../shared/contract.js';
import { vmLabels } from './vm-labels.js';
import type { VmSpec } from './vm-spec.js';

export type GuestShutdownObjects = [V1ServiceAccount, V1Role, V1RoleBinding];

/** The StatefulSet as the owner of the three: the garbage collector removes them with it. */
export function statefulSetOwner(sts: Pick<V1StatefulSet, 'metadata'>): V1OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.metadata!.name!, uid: sts.metadata!.uid!, blockOwnerDeletion: false };
}

/** The ServiceAccount, Role and RoleBinding of a VM with --on-guest-shutdown stop; none otherwise. */
export function guestShutdownObjects(spec: Pick<VmSpec, 'name' | 'namespace' | 'onGuestShutdown'>, owner?: V1OwnerReference): GuestShutdownObjects | [] {
  if (spec.onGuestShutdown !== 'stop') return [];
  const name = guestShutdownAccountName(spec.name);
  const metadata = () => ({ name, namespace: spec.namespace, labels: vmLabels(spec.name), ...(owner ? { ownerReferences: [owner] } : {}) });
  return [
    // Its token is never automounted: only the projected one of the VM pod exists.
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(), automountServiceAccountToken: false },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: metadata(),
      rules: [
        // the generation and resourceVersion the scale is conditioned on
        { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: [spec.name], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['statefulsets/scale'], resourceNames: [spec.name], verbs: ['patch'] },
        // the mark `ls` reads (GUEST_SHUTDOWN_GENERATION), on this ServiceAccount itself
        { apiGroups: [''], resources: ['serviceaccounts'], resourceNames: [name], verbs: ['patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: spec.namespace }],
    },
  ];
}

/** Whether a listing needs the VMs' ServiceAccounts: some VM made with --on-guest-shutdown stop is stopped. */
export function needsGuestShutdownMarks(statefulSets: V1StatefulSet[]): boolean {
  return statefulSets.some((sts) => (sts.spec?.replicas ?? 1) === 0 && sts.metadata?.annotations?.[Annotations.vmOnGuestShutdown] === 'stop');
}

/**
 * True when the VM is stopped because its guest powered itself off: the launcher marked the
 * generation its scale to 0 gave the StatefulSet, and nothing has changed replicas since (a start,
 * a stop or `kubectl scale` would have moved the generation on).
 */
export function stoppedByGuest(sts: V1StatefulSet, account: V1ServiceAccount | undefined): boolean {
  const mark = account?.metadata?.annotations?.[GUEST_SHUTDOWN_GENERATION];
  return (sts.spec?.replicas ?? 1) === 0 && mark !== undefined && mark === String(sts.metadata?.generation);
}

/** The guest-shutdown ServiceAccount of each VM, by namespace/VM name. */
export function accountsByVm(accounts: V1ServiceAccount[]): Map<string, V1ServiceAccount> {
  const byVm = new Map<string, V1ServiceAccount>();
  for (const account of accounts) {
    const vm = account.metadata?.labels?.[Labels.vm];
    if (vm && account.metadata?.name === guestShutdownAccountName(vm)) byVm.set(`${account.metadata.namespace}/${vm}`, account);
  }
  return byVm;
}
