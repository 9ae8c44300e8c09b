// Creating a VM on the cluster: every check first (existing objects, referenced objects, a node
// that can run it, a server-side dry run of each object), then the objects, and if a later create
// fails, the earlier ones are removed again, so a failed create leaves the cluster as it was.
import type { V1PersistentVolumeClaim, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import { BerthError } from '../../shared/errors.js';
import { cloudInitSecretName, diskPvcName } from '../core/names.js';
import type { VmRequest } from '../core/vm-flags.js';
import type { VmSpec } from '../core/vm-spec.js';
import { Files, Labels } from '../../shared/contract.js';
import type { Connection } from './connect.js';
import { apiStatus, isNotFound, toBerthError } from './errors.js';
import { apiContext, readOptional, type KubeApis } from './vm-objects.js';
import { firstPodOf } from '../core/statefulset-pod.js';
import { refusalHint } from '../core/create-failure.js';
import { isBerthVm } from '../core/vm-labels.js';
import { claimBytes, dataDiskPvcNames, podMemoryBytes } from '../core/vm-statefulset.js';
import { formatBinary, parseSize } from '../../shared/quantity.js';
import { largestAllocatableMemory, requiredNodeLabel } from '../core/node-room.js';
import { HOTPLUG_RATIO } from '../../shared/vm-size.js';
import type { VmNodes } from './vm-nodes.js';

export interface PreflightOptions {
  /** Create even when no node can run the VM now; it stays Pending until one can. */
  allowUnschedulable: boolean;
  note(message: string): void;
}

async function checkNotExisting(conn: Connection, apis: KubeApis, spec: VmSpec, request: VmRequest): Promise<void> {
  const { name, namespace } = spec;
  const dataPvcNames = dataDiskPvcNames(spec);
  const [sts, secret, pvc, ...dataPvcs] = await Promise.all([
    readOptional(conn, `check for VM '${name}'`, () => apis.apps.readNamespacedStatefulSet({ name, namespace })),
    readOptional(conn, `check for VM '${name}'`, () => apis.core.readNamespacedSecret({ name: cloudInitSecretName(name), namespace })),
    readOptional(conn, `check for VM '${name}'`, () => apis.core.readNamespacedPersistentVolumeClaim({ name: diskPvcName(name), namespace })),
    ...dataPvcNames.map((pvcName) => readOptional(conn, `check for VM '${name}'`, () => apis.core.readNamespacedPersistentVolumeClaim({ name: pvcName, namespace }))),
  ]);
  if (sts) {
    const ours = sts.metadata?.labels?.[Labels.vm] === name;
    throw new BerthError('ALREADY_EXISTS', ours ? `VM '${name}' already exists in namespace '${namespace}'` : `a StatefulSet named '${name}' already exists in namespace '${namespace}' (not a VM)`, {
      hint: ours ? `choose another name, or remove the old VM first: kubectl berth purge ${name}` : 'choose another name',
    });
  }
  if (secret) {
    throw new BerthError('ALREADY_EXISTS', `Secret '${cloudInitSecretName(name)}' already exists in namespace '${namespace}'`, {
      hint: `choose another VM name, or delete the leftover Secret: kubectl delete secret ${cloudInitSecretName(name)} -n ${namespace}`,
    });
  }
  if (request.disk.kind === 'pvc' && request.disk.reuse && !pvc) {
    throw new BerthError('NOT_FOUND', `--reuse-disk: there is no disk to reuse (PersistentVolumeClaim '${diskPvcName(name)}' in namespace '${namespace}')`, {
      hint: 'drop --reuse-disk to create a new disk',
    });
  }
  if (pvc && spec.disk.kind === 'pvc' && spec.disk.reuse) checkReusedDiskSize(pvc, spec);
  // A data disk's claim left by an earlier VM would be adopted by the new StatefulSet as it is: its
  // data reused without anyone asking. With --reuse-disk that is the point; without, refuse.
  const reuse = request.disk.kind === 'pvc' && request.disk.reuse;
  const leftover = dataPvcNames.find((_, i) => dataPvcs[i]);
  if (leftover && !reuse) {
    throw new BerthError('ALREADY_EXISTS', `a data disk kept from an earlier VM '${name}' exists (PersistentVolumeClaim '${leftover}' in namespace '${namespace}')`, {
      hint: [`keep its data with --reuse-disk`, `or delete it first: kubectl delete pvc ${leftover} -n ${namespace}`],
    });
  }
  if (pvc && !(request.disk.kind === 'pvc' && request.disk.reuse)) {
    throw new BerthError('ALREADY_EXISTS', `a disk kept from an earlier VM '${name}' exists (PersistentVolumeClaim '${diskPvcName(name)}' in namespace '${namespace}')`, {
      hint: [`boot from it with --reuse-disk`, `or delete it first: kubectl delete pvc ${diskPvcName(name)} -n ${namespace}`],
    });
  }
}

/**
 * --reuse-disk with a --disk-size larger than the claim would grow the overlay past what the
 * claim can store: the guest would pause on a full disk. Refused, with the two ways out. Pure.
 */
export function checkReusedDiskSize(pvc: V1PersistentVolumeClaim, spec: Pick<VmSpec, 'name' | 'namespace' | 'disk' | 'image'>): void {
  if (spec.disk.kind !== 'pvc' || !spec.disk.sizeGiven) return;
  const raw = pvc.status?.capacity?.storage ?? pvc.spec?.resources?.requests?.storage;
  const capacity = raw === undefined ? undefined : parseSize(raw);
  if (!capacity?.ok || spec.disk.sizeBytes <= capacity.bytes) return;
  const claim = diskPvcName(spec.name);
  const patch = JSON.stringify({ spec: { resources: { requests: { storage: formatBinary(claimBytes(spec)) } } } });
  throw new BerthError('INVALID_VALUE', `--disk-size ${formatBinary(spec.disk.sizeBytes)} is larger than the disk to reuse: PersistentVolumeClaim '${claim}' holds ${raw}`, {
    hint: [
      `grow the claim first, where its StorageClass allows volume expansion: kubectl patch pvc ${claim} -n ${spec.namespace} -p '${patch}'`,
      'or drop --disk-size: a reused disk keeps the size it has',
    ],
  });
}

async function checkUserDataSource(conn: Connection, apis: KubeApis, spec: VmSpec): Promise<void> {
  if (spec.cloudInit.userData.kind !== 'ref') return;
  const { kind, name } = spec.cloudInit.userData.ref;
  const namespace = spec.namespace;
  const object = `${kind}/${name}`;
  const found = kind === 'secret'
    ? await readOptional(conn, `read ${object}`, () => apis.core.readNamespacedSecret({ name, namespace }))
    : await readOptional(conn, `read ${object}`, () => apis.core.readNamespacedConfigMap({ name, namespace }));
  if (!found) {
    throw new BerthError('NOT_FOUND', `--user-data-from: ${object} not found in namespace '${namespace}'`, {
      hint: `create it first, e.g.: kubectl create ${kind === 'secret' ? 'secret generic' : 'configmap'} ${name} --from-file=${Files.userData}=cloud-config.yaml -n ${namespace}`,
    });
  }
  const data = found.data;
  if (!data || !(Files.userData in data)) {
    throw new BerthError('INVALID_VALUE', `--user-data-from: ${object} has no key '${Files.userData}'`, {
      hint: `put the cloud-config under the key '${Files.userData}' (kubectl create ${kind === 'secret' ? 'secret generic' : 'configmap'} ${name} --from-file=${Files.userData}=FILE)`,
    });
  }
}

async function checkStorageClass(conn: Connection, spec: VmSpec, note: (m: string) => void): Promise<void> {
  // --storage-class, then each data disk's class= (a data disk without one takes --storage-class)
  const classes = new Map<string, string>();
  if (spec.disk.kind === 'pvc' && spec.disk.storageClass) classes.set(spec.disk.storageClass, '--storage-class');
  for (const d of spec.dataDisks) if (d.storageClass && !classes.has(d.storageClass)) classes.set(d.storageClass, `--disk ${d.name}`);
  if (classes.size === 0) return;
  const k8s = await import('@kubernetes/client-node');
  const storage = await conn.api(k8s.StorageV1Api);
  for (const [name, flag] of classes) {
    try {
      await storage.readStorageClass({ name });
    } catch (error) {
      if (isNotFound(error)) {
        throw new BerthError('NOT_FOUND', `${flag}: StorageClass '${name}' does not exist`, { hint: 'list them with: kubectl get storageclass' });
      }
      const e = toBerthError(error, apiContext(conn, 'read StorageClasses'));
      if (e.code !== 'FORBIDDEN') throw e;
      note(`Note: cannot check StorageClass '${name}' (not allowed to read StorageClasses); going ahead.`);
      return;
    }
  }
}

/** Refuses a VM no node can run, or none could hold, unless asked to queue it anyway. */
function checkNodes(spec: VmSpec, vmNodes: VmNodes, options: PreflightOptions): void {
  const required = requiredNodeLabel(spec.accel);
  if (!vmNodes.nodes) {
    options.note(`Note: cannot check which nodes can run the VM (${vmNodes.why}); going ahead, with room to grow of ${HOTPLUG_RATIO}× its size that no node bounds.`);
    return;
  }
  const { nodes } = vmNodes;
  const extra = Object.keys(spec.nodeSelector).length > 0 ? ' and matches --node-selector' : '';
  if (nodes.length > 0) {
    // The pod asks for the guest's memory plus QEMU's overhead; a node that cannot give that much
    // to one pod can never schedule it, however empty it is.
    const needed = podMemoryBytes(spec);
    const largest = largestAllocatableMemory(nodes);
    if (largest === undefined || largest >= needed) return;
    const what = `its pod needs ${formatBinary(needed)} of memory (--memory ${formatBinary(spec.memoryBytes)} plus QEMU's overhead), and the largest node that can run it${extra} can give a pod ${formatBinary(largest)}`;
    if (options.allowUnschedulable) {
      options.note(`Warning: ${what}; the VM will stay Pending until a larger node joins.`);
      return;
    }
    throw new BerthError('NO_NODE_FITS', `cannot place VM '${spec.name}': ${what}`, {
      hint: [`give it less memory: --memory ${formatBinary(Math.max(0, largest - (needed - spec.memoryBytes)))} or less`, 'or pass --allow-unschedulable to create it now and let it wait Pending for a larger node'],
    });
  }
  const what = spec.accel === 'kvm' ? `no node has usable KVM (label ${required}=true)` : `no node runs the kubectl-berth agent (label ${required}=true)`;
  if (options.allowUnschedulable) {
    options.note(`Warning: ${what}${extra}; the VM will stay Pending until one does.`);
    return;
  }
  throw new BerthError('NO_KVM_NODE', `cannot place VM '${spec.name}': ${what}${extra}`, {
    hint: [
      spec.accel === 'kvm' ? 'use --accel tcg to emulate the CPU in software (slow), on any node with the agent' : 'ask a cluster admin to install the kubectl-berth agent (kubectl berth install)',
      'or pass --allow-unschedulable to create it now and let it wait Pending',
    ],
  });
}

/** Every check that needs the cluster, in the order that gives the most useful first error. */
export async function preflight(conn: Connection, apis: KubeApis, spec: VmSpec, request: VmRequest, nodes: VmNodes, options: PreflightOptions): Promise<void> {
  await checkNotExisting(conn, apis, spec, request);
  await checkUserDataSource(conn, apis, spec);
  await checkStorageClass(conn, spec, options.note);
  checkNodes(spec, nodes, options);
}

function createError(conn: Connection, error: unknown, subject: string, namespace: string): BerthError {
  if (isNotFound(error)) {
    return new BerthError('NOT_FOUND', `namespace '${namespace}' does not exist`, {
      hint: [`create it with: kubectl create namespace ${namespace}`, 'or pass -n with an existing namespace'],
    });
  }
  return toBerthError(error, apiContext(conn, `create ${subject}`, { subject, namespace }));
}

/**
 * Whether a failed call may still have been carried out: no answer at all (a connection reset, a
 * timeout, a proxy that dropped the reply), or an answer that says the server did not finish
 * deciding (408, and 5xx: 504 means "may still be processing"). Any other answer is the server's
 * definite no. Pure.
 */
export function outcomeUnknown(error: unknown): boolean {
  const status = apiStatus(error);
  return status === undefined || status.code === 408 || status.code >= 500;
}

/**
 * Creates the Secret, then the StatefulSet; on a definite failure removes the Secret again.
 *
 * When the StatefulSet create gets no clear answer, the server may have stored it: deleting the
 * Secret then would leave a VM whose pod can never mount its cloud-init. So the create is sent
 * once more, which settles it either way: created now, or 409 because the first one landed (the
 * name was free at preflight, so a StatefulSet of this VM found then is ours). Only when that
 * second answer is unclear too is the outcome left to the user, with the Secret kept.
 */
export async function createVmObjects(conn: Connection, apis: KubeApis, secret: V1Secret, sts: V1StatefulSet, note: (m: string) => void): Promise<void> {
  const namespace = sts.metadata!.namespace!;
  const secretSubject = `Secret '${secret.metadata!.name}'`;
  const stsSubject = `VM '${sts.metadata!.name}'`;
  // A server-side dry run runs validation and admission (quotas, policies) on both objects first.
  for (const dryRun of ['All', undefined]) {
    try {
      await apis.core.createNamespacedSecret({ namespace, body: secret, dryRun });
    } catch (error) {
      throw createError(conn, error, secretSubject, namespace);
    }
    if (dryRun === 'All') {
      try {
        await apis.apps.createNamespacedStatefulSet({ namespace, body: sts, dryRun });
      } catch (error) {
        throw createError(conn, error, stsSubject, namespace);
      }
      await dryRunFirstPod(conn, apis, sts);
      continue;
    }
    const outcome = await createStatefulSet(apis, sts, note);
    if (outcome.kind === 'created') return;
    const failure = createError(conn, outcome.error, stsSubject, namespace);
    const secretName = secret.metadata!.name!;
    if (outcome.kind === 'unknown') {
      failure.suggestions.push(
        `the cluster did not say whether ${stsSubject} was created; the Secret '${secretName}' was kept, so a VM that was created can still start`,
        `see whether it exists: kubectl berth ls ${sts.metadata!.name} -n ${namespace}; if it does not, remove the Secret: kubectl delete secret ${secretName} -n ${namespace}`,
      );
      throw failure;
    }
    const removed = await apis.core.deleteNamespacedSecret({ name: secretName, namespace }).then(() => true, () => false);
    if (!removed) failure.suggestions.push(`the Secret '${secretName}' could not be removed again; delete it with: kubectl delete secret ${secretName} -n ${namespace}`);
    throw failure;
  }
}

type CreateOutcome = { kind: 'created' } | { kind: 'failed'; error: unknown } | { kind: 'unknown'; error: unknown };

/** The StatefulSet create, asked a second time when the first answer is unclear (see above). */
async function createStatefulSet(apis: KubeApis, sts: V1StatefulSet, note: (m: string) => void): Promise<CreateOutcome> {
  const namespace = sts.metadata!.namespace!;
  const name = sts.metadata!.name!;
  try {
    await apis.apps.createNamespacedStatefulSet({ namespace, body: sts });
    return { kind: 'created' };
  } catch (first) {
    if (!outcomeUnknown(first)) return { kind: 'failed', error: first };
    note(`Note: no clear answer to creating VM '${name}'; asking again to learn whether it exists.`);
    try {
      await apis.apps.createNamespacedStatefulSet({ namespace, body: sts });
      return { kind: 'created' };
    } catch (second) {
      if (apiStatus(second)?.code === 409) {
        // Ours only if it carries this VM's labels: anything else took the name in between.
        const found = await apis.apps.readNamespacedStatefulSet({ name, namespace }).catch(() => undefined);
        if (found && found.metadata?.labels?.[Labels.vm] === name && isBerthVm(found.metadata?.labels)) return { kind: 'created' };
        return found ? { kind: 'failed', error: second } : { kind: 'unknown', error: first };
      }
      return outcomeUnknown(second) ? { kind: 'unknown', error: first } : { kind: 'failed', error: second };
    }
  }
}

/**
 * Admission of the pod the StatefulSet will make (firstPodOf). A user who may create StatefulSets
 * but not pods (berth-vm-admin) cannot ask; then the check is skipped, not failed.
 */
async function dryRunFirstPod(conn: Connection, apis: KubeApis, sts: V1StatefulSet): Promise<void> {
  const pod = firstPodOf(sts);
  const namespace = pod.metadata!.namespace!;
  try {
    await apis.core.createNamespacedPod({ namespace, body: pod, dryRun: 'All' });
  } catch (error) {
    const status = apiStatus(error);
    if (status?.code === 403 && /cannot create resource "pods"/.test(status.message ?? '')) return;
    if (status?.code === 403 || status?.code === 422) {
      throw new BerthError('POD_REFUSED', `the cluster would refuse the pod of VM '${sts.metadata!.name}' in namespace '${namespace}': ${status.message}`, {
        hint: [
          "nothing was created: a StatefulSet whose pod is refused never starts (Pod Security, a ResourceQuota, a LimitRange or an admission policy of the namespace decides this)",
          refusalHint(namespace),
        ],
      });
    }
    throw createError(conn, error, `the pod of VM '${sts.metadata!.name}'`, namespace);
  }
}
