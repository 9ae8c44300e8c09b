// Creating a VM on the cluster: every check first (existing objects, referenced objects, a node
// that can run it, a server-side dry run of each object), then the objects, and if a later create
// fails, the earlier ones are removed again, so a failed create leaves the cluster as it was.
import type { V1Secret, V1StatefulSet } from '@kubernetes/client-node';
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

export interface PreflightOptions {
  /** Create even when no node can run the VM now; it stays Pending until one can. */
  allowUnschedulable: boolean;
  note(message: string): void;
}

async function checkNotExisting(conn: Connection, apis: KubeApis, spec: VmSpec, request: VmRequest): Promise<void> {
  const { name, namespace } = spec;
  const [sts, secret, pvc] = await Promise.all([
    readOptional(conn, `check for VM '${name}'`, () => apis.apps.readNamespacedStatefulSet({ name, namespace })),
    readOptional(conn, `check for VM '${name}'`, () => apis.core.readNamespacedSecret({ name: cloudInitSecretName(name), namespace })),
    readOptional(conn, `check for VM '${name}'`, () => apis.core.readNamespacedPersistentVolumeClaim({ name: diskPvcName(name), namespace })),
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
  if (pvc && !(request.disk.kind === 'pvc' && request.disk.reuse)) {
    throw new BerthError('ALREADY_EXISTS', `a disk kept from an earlier VM '${name}' exists (PersistentVolumeClaim '${diskPvcName(name)}' in namespace '${namespace}')`, {
      hint: [`boot from it with --reuse-disk`, `or delete it first: kubectl delete pvc ${diskPvcName(name)} -n ${namespace}`],
    });
  }
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
  if (spec.disk.kind !== 'pvc' || !spec.disk.storageClass) return;
  const k8s = await import('@kubernetes/client-node');
  const storage = await conn.api(k8s.StorageV1Api);
  try {
    await storage.readStorageClass({ name: spec.disk.storageClass });
  } catch (error) {
    if (isNotFound(error)) {
      throw new BerthError('NOT_FOUND', `--storage-class: StorageClass '${spec.disk.storageClass}' does not exist`, { hint: 'list them with: kubectl get storageclass' });
    }
    const e = toBerthError(error, apiContext(conn, 'read StorageClasses'));
    if (e.code !== 'FORBIDDEN') throw e;
    note(`Note: cannot check StorageClass '${spec.disk.storageClass}' (not allowed to read StorageClasses); going ahead.`);
  }
}

/** Refuses a VM no node can run, unless asked to queue it anyway. */
async function checkNodes(conn: Connection, apis: KubeApis, spec: VmSpec, options: PreflightOptions): Promise<void> {
  const required = spec.accel === 'kvm' ? Labels.nodeKvm : Labels.nodeReady;
  const selector = [`${required}=true`, ...Object.entries(spec.nodeSelector).map(([k, v]) => `${k}=${v}`)].join(',');
  let count: number;
  try {
    count = (await apis.core.listNode({ labelSelector: selector })).items.length;
  } catch (error) {
    const e = toBerthError(error, apiContext(conn, 'list nodes'));
    if (e.code !== 'FORBIDDEN') throw e;
    options.note('Note: cannot check which nodes can run the VM (not allowed to list nodes); going ahead.');
    return;
  }
  if (count > 0) return;
  const what = spec.accel === 'kvm' ? `no node has usable KVM (label ${required}=true)` : `no node runs the kubectl-berth agent (label ${required}=true)`;
  const extra = Object.keys(spec.nodeSelector).length > 0 ? ' and matches --node-selector' : '';
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
export async function preflight(conn: Connection, apis: KubeApis, spec: VmSpec, request: VmRequest, options: PreflightOptions): Promise<void> {
  await checkNotExisting(conn, apis, spec, request);
  await checkUserDataSource(conn, apis, spec);
  await checkStorageClass(conn, spec, options.note);
  await checkNodes(conn, apis, spec, options);
}

function createError(conn: Connection, error: unknown, subject: string, namespace: string): BerthError {
  if (isNotFound(error)) {
    return new BerthError('NOT_FOUND', `namespace '${namespace}' does not exist`, {
      hint: [`create it with: kubectl create namespace ${namespace}`, 'or pass -n with an existing namespace'],
    });
  }
  return toBerthError(error, apiContext(conn, `create ${subject}`, { subject, namespace }));
}

/** Creates the Secret, then the StatefulSet; on failure removes what it created. */
export async function createVmObjects(conn: Connection, apis: KubeApis, secret: V1Secret, sts: V1StatefulSet): Promise<void> {
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
    try {
      await apis.apps.createNamespacedStatefulSet({ namespace, body: sts, dryRun });
    } catch (error) {
      const failure = createError(conn, error, stsSubject, namespace);
      if (dryRun === undefined) {
        const secretName = secret.metadata!.name!;
        const removed = await apis.core.deleteNamespacedSecret({ name: secretName, namespace }).then(() => true, () => false);
        if (!removed) failure.suggestions.push(`the Secret '${secretName}' could not be removed again; delete it with: kubectl delete secret ${secretName} -n ${namespace}`);
      }
      throw failure;
    }
    if (dryRun === 'All') await dryRunFirstPod(conn, apis, sts);
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
