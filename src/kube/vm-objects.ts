// Finding VMs on the cluster: a VM is a StatefulSet kubectl berth labelled, plus its
// pod, Secret and disk PVC. Listing them all is vm-list.ts.
import type { AppsV1Api, CoreV1Api, V1StatefulSet } from '@kubernetes/client-node';
import { BerthError } from '../../shared/errors.js';
import { isBerthVm } from '../core/vm-labels.js';
import type { Connection } from './connect.js';
import { isNotFound, toBerthError, type ApiErrorContext } from './errors.js';

export interface KubeApis {
  core: CoreV1Api;
  apps: AppsV1Api;
}

export async function kubeApis(conn: Connection): Promise<KubeApis> {
  const k8s = await import('@kubernetes/client-node');
  return { core: await conn.api(k8s.CoreV1Api), apps: await conn.api(k8s.AppsV1Api) };
}

/** Error context for an API call: the server address makes unreachable-cluster messages useful. */
export function apiContext(conn: Connection, action: string, extra: Partial<ApiErrorContext> = {}): ApiErrorContext {
  return { action, namespace: conn.namespace, server: conn.kubeConfig.getCurrentCluster()?.server, ...extra };
}

/** Runs one API call, translating failures into BerthErrors. */
export async function call<T>(conn: Connection, action: string, fn: () => Promise<T>, extra: Partial<ApiErrorContext> = {}): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toBerthError(error, apiContext(conn, action, extra));
  }
}

/** Like call(), but a 404 yields undefined instead of an error. */
export async function readOptional<T>(conn: Connection, action: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toBerthError(error, apiContext(conn, action));
  }
}

export function vmNotFound(name: string, namespace: string): BerthError {
  return new BerthError('VM_NOT_FOUND', `VM '${name}' not found in namespace '${namespace}'`, {
    hint: ['list your VMs with: kubectl berth ls -A', 'if it lives in another namespace, pass -n NAMESPACE'],
  });
}

/** The VM's StatefulSet, or undefined when there is none (or it is not one of ours). */
export async function readVm(conn: Connection, apis: KubeApis, name: string, namespace = conn.namespace): Promise<V1StatefulSet | undefined> {
  const sts = await readOptional(conn, `read VM '${name}'`, () => apis.apps.readNamespacedStatefulSet({ name, namespace }));
  return sts && isBerthVm(sts.metadata?.labels) ? sts : undefined;
}

/** The VM's StatefulSet; VM_NOT_FOUND (exit 3) when it does not exist. */
export async function getVm(conn: Connection, apis: KubeApis, name: string, namespace = conn.namespace): Promise<V1StatefulSet> {
  const sts = await readVm(conn, apis, name, namespace);
  if (!sts) throw vmNotFound(name, namespace);
  return sts;
}
