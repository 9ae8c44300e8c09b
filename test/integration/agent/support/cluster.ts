// The local cluster as the agent tests use it: kubectl with the cluster's kubeconfig (tests may
// verify with kubectl; the code under test never shells out to it), and a guard that fails loudly
// when the cluster is down instead of skipping.
import { execFileSync } from 'node:child_process';
import { clusterKubeconfig, deleteFakeNode } from '../../../support/cluster.js';

export const KUBECONFIG = clusterKubeconfig();
export const NODE = 'berth-node';

export function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', args, { env: { ...process.env, KUBECONFIG }, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

export function kubectlJson<T = any>(args: string[]): T {
  return JSON.parse(kubectl([...args, '-o', 'json'])) as T;
}

/** Throws (fails the suite) when the local cluster's node is not Ready. */
export function requireCluster(): void {
  let ready = '';
  try {
    ready = kubectl(['get', 'node', NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
  } catch (error) {
    throw new Error(`the local cluster is not reachable with ${KUBECONFIG} (start it with test/cluster/up.sh): ${(error as Error).message.split('\n')[0]}`);
  }
  if (ready !== 'True') throw new Error(`node ${NODE} is not Ready (Ready=${ready || 'unknown'}); start the cluster with test/cluster/up.sh`);
}

export function applyJson(object: object): void {
  kubectl(['apply', '-f', '-'], JSON.stringify(object));
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** Polls until check() returns a value (not undefined) or the time is up; then fails with the last state. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, describe?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${describe ? `; ${describe()}` : ''}${lastError ? `; last error: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Teardown of a test that ran an agent for a fake node: its catalog namespace, the node (see deleteFakeNode) and its Events. */
export async function removeFakeNodeAndNamespace(ns: string, node: string): Promise<void> {
  for (const args of [['delete', 'namespace', ns, '--wait=false'], ['delete', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${node}`]]) {
    try {
      kubectl(args);
    } catch {
      /* already gone */
    }
  }
  await deleteFakeNode(node).catch(() => undefined); // already gone, or no cluster to clean
}
