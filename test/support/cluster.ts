// The local cluster as mocha tests see it (test/cluster/up.sh brings it up): where its kubeconfig
// is, a guard that fails loudly when it is down, kubectl for checking what the code under test
// did (tests may use kubectl; the plugin never does), and namespaces of their own.
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Paths } from '../../shared/contract.js';

export const NODE_NAME = 'berth-node';
/** Backed by a pool of pre-created hostPath volumes; also the default class. */
export const STORAGE_CLASS = 'berth-test';
/** Present in the node's containerd; use it with imagePullPolicy Never (no registry is reachable). */
export const BUSYBOX_IMAGE = 'localhost/busybox:local';
/** Where the kubelet listens for device-plugin registrations, whatever its --root-dir. */
export const DEVICE_PLUGIN_SOCKET = join(Paths.kubeletDevicePlugins, 'kubelet.sock');

/** The project's cache (builds, cluster, guest, images); BERTH_CACHE moves it, as for the scripts. */
export function berthCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_CACHE || join(homedir(), '.cache', 'kubectl-berth');
}

/** The local cluster's kubeconfig; BERTH_TEST_KUBECONFIG points the tests at another cluster. */
export function clusterKubeconfig(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_TEST_KUBECONFIG || join(berthCache(env), 'cluster', 'kubeconfig');
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  timeoutMs?: number;
  /** Return the result of a failing command instead of throwing. */
  allowFailure?: boolean;
}

export interface KubectlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against the local cluster; throws with kubectl's own message when it fails. */
export async function kubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const result = await execa('kubectl', args, {
    reject: false,
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 60_000,
    env: { KUBECONFIG: clusterKubeconfig() },
  });
  const run = { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  if (run.exitCode !== 0 && !options.allowFailure) {
    const why = result.timedOut ? `timed out after ${options.timeoutMs ?? 60_000} ms` : run.stderr.trim() || `exit ${run.exitCode}`;
    throw new Error(`kubectl ${args.join(' ')}: ${why}`);
  }
  return run;
}

export async function kubectlJson<T = unknown>(args: string[], options: KubectlOptions = {}): Promise<T> {
  return JSON.parse((await kubectl([...args, '-o', 'json'], options)).stdout) as T;
}

/**
 * For a before() hook: fails the suite (never skips it) unless the API server answers and the
 * node is Ready, so that a missing cluster cannot pass for a green run.
 */
export async function requireCluster(ctx?: Mocha.Context): Promise<void> {
  ctx?.timeout(30_000);
  const hint = `the local cluster is not up (KUBECONFIG ${clusterKubeconfig()}): run test/cluster/up.sh`;
  let ready: string;
  try {
    await kubectl(['get', '--raw', '/readyz'], { timeoutMs: 10_000 });
    const path = '{.status.conditions[?(@.type=="Ready")].status}';
    ready = (await kubectl(['get', 'node', NODE_NAME, '-o', `jsonpath=${path}`], { timeoutMs: 10_000 })).stdout.trim();
  } catch (error) {
    throw new Error(`${hint} (${(error as Error).message.split('\n')[0]})`);
  }
  if (ready !== 'True') throw new Error(`${hint} (node ${NODE_NAME} is not Ready: "${ready}")`);
}

/**
 * Creates `t-<prefix>-<random>` and waits until its default ServiceAccount exists, because the
 * ServiceAccount admission refuses pods in a namespace until then.
 */
export async function createUniqueNamespace(prefix: string): Promise<string> {
  const name = `t-${prefix}-${randomBytes(3).toString('hex')}`;
  await kubectl(['create', 'namespace', name]);
  await eventually(`ServiceAccount ${name}/default`, 30_000, async () => {
    return (await kubectl(['-n', name, 'get', 'serviceaccount', 'default'], { allowFailure: true })).exitCode === 0;
  });
  return name;
}

/**
 * Creates ServiceAccount `name` (if it is missing) and returns a bound token for it from the
 * TokenRequest API, as `kubectl create token` does: no Secret holds a token since Kubernetes 1.24.
 */
export async function serviceAccountToken(namespace: string, name: string): Promise<string> {
  const exists = await kubectl(['-n', namespace, 'get', 'serviceaccount', name], { allowFailure: true });
  if (exists.exitCode !== 0) await kubectl(['-n', namespace, 'create', 'serviceaccount', name]);
  return (await kubectl(['-n', namespace, 'create', 'token', name, '--duration=2h'])).stdout.trim();
}

interface DaemonPod {
  metadata: { name: string; namespace: string; ownerReferences?: { kind: string }[] };
  spec?: {
    nodeName?: string;
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchFields?: { key: string; values?: string[] }[] }[] } } };
  };
}

/**
 * Deletes a Node object a test made (no kubelet behind it) and the DaemonSet pods made for it.
 * Where berth is installed, its agent DaemonSet tolerates every taint and so makes a pod for each
 * such node; once the node is gone its controller may not look again for hours, and meanwhile it
 * keeps that pod Pending and counts it as desired. Deleting the pod makes it look again.
 */
export async function deleteFakeNode(name: string): Promise<void> {
  await kubectl(['delete', 'node', name, '--ignore-not-found']);
  const pods = await kubectlJson<{ items: DaemonPod[] }>(['get', 'pods', '--all-namespaces']);
  for (const pod of pods.items) {
    if (!pod.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet')) continue;
    const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    const pinned = terms.some((t) => t.matchFields?.some((f) => f.key === 'metadata.name' && f.values?.includes(name)));
    if (pod.spec?.nodeName === name || pinned) {
      await kubectl(['delete', 'pod', pod.metadata.name, '-n', pod.metadata.namespace, '--ignore-not-found', '--wait=false']);
    }
  }
}

/** Deletes without waiting: namespace finalisation can take longer than a test hook should. */
export async function deleteNamespace(name: string): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=false']);
}

/**
 * Registers before/after hooks in the calling describe() that create and delete a namespace of
 * its own; read `.name` inside tests.
 */
export function uniqueNamespace(prefix: string): { readonly name: string } {
  const holder = { name: '' };
  before(async function () {
    this.timeout(60_000);
    holder.name = await createUniqueNamespace(prefix);
  });
  after(async function () {
    this.timeout(60_000);
    if (holder.name) await deleteNamespace(holder.name);
  });
  return holder;
}

/** Polls until `check` returns true; throws naming what never happened. */
export async function eventually(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
