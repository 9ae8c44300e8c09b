// The local cluster as mocha tests see it (test/cluster/up.sh brings it up): where its kubeconfig
// is, a guard that fails loudly when it is down, kubectl for checking what the code under test
// did (tests may use kubectl; the plugin never does), namespaces, fake nodes and credentials of
// their own.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Paths } from '../../shared/contract.js';
import { eventually } from './eventually.js';
import { repo } from './repo.js';

export const NODE_NAME = 'berth-node';
/** Backed by a pool of pre-created hostPath volumes; also the default class. */
export const STORAGE_CLASS = 'berth-test';
/**
 * `kubectl berth install`'s flags on the local cluster. Its kubelet evicts only below 1% free
 * (test/cluster/up.sh, evictionHard), so the agent's image cache may fill the disk down to 2%.
 * The product's default reserve (20%) is sized for a kubelet's default thresholds (10%, 15%) and
 * would leave a developer's fuller disk no room for the test images. test/setup/demo.sh passes
 * the same flags; an install without them puts the default back.
 */
export const LOCAL_INSTALL_FLAGS = ['--disk-reserve', '2%'];
/**
 * Storage every node mounts (standing in for NFS or Ceph): local-path-provisioner's shared mode,
 * a volume made per claim, with no node affinity (test/cluster/storage.sh).
 */
export const SHARED_STORAGE_CLASS = 'berth-shared';
/** Present in the node's containerd; use it with imagePullPolicy Never (no registry is reachable). */
export const BUSYBOX_IMAGE = 'localhost/busybox:local';
/** Where the kubelet listens for device-plugin registrations, whatever its --root-dir. */
export const DEVICE_PLUGIN_SOCKET = join(Paths.kubeletDevicePlugins, 'kubelet.sock');

/** The project's cache (builds, cluster, guest, images); BERTH_CACHE moves it, as for the scripts. */
export function berthCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_CACHE || join(homedir(), '.cache', 'kubectl-berth');
}

/**
 * A pod of BUSYBOX_IMAGE running `sh -c script`, with no grace period; `extra` goes into its spec
 * (volumes, a nodeSelector), `container` into its one container.
 */
export function busyboxPod(name: string, script: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', script], ...container }],
      ...extra,
    },
  };
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

/** kubectl's environment: this process's, pointed at the local cluster. */
function kubectlEnv(): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: clusterKubeconfig() };
}

function kubectlFailed(args: string[], why: string): Error {
  return new Error(`kubectl ${args.join(' ')}: ${why}`);
}

/** Runs kubectl against the local cluster; throws with kubectl's own message when it fails. */
export async function kubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const timeout = options.timeoutMs ?? 60_000;
  const result = await execa('kubectl', args, { reject: false, input: options.input ?? '', timeout, env: kubectlEnv() });
  const run = { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  if (run.exitCode !== 0 && !options.allowFailure) {
    throw kubectlFailed(args, result.timedOut ? `timed out after ${timeout} ms` : run.stderr.trim() || `exit ${run.exitCode}`);
  }
  return run;
}

/** The stdout of a kubectl command that must succeed (a jsonpath, a name list). */
export async function kubectlOut(args: string[], options: Omit<KubectlOptions, 'allowFailure'> = {}): Promise<string> {
  return (await kubectl(args, options)).stdout;
}

export async function kubectlJson<T = unknown>(args: string[], options: KubectlOptions = {}): Promise<T> {
  return JSON.parse((await kubectl([...args, '-o', 'json'], options)).stdout) as T;
}

/**
 * kubectl's stdout, synchronously, for probes and getters that are plain expressions (the agent's
 * tests read node annotations inside eventually()); throws with kubectl's own message.
 */
export function kubectlSync(args: string[], options: { input?: string } = {}): string {
  try {
    return execFileSync('kubectl', args, { env: kubectlEnv(), input: options.input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: string; status?: number };
    throw kubectlFailed(args, e.stderr?.trim() || `exit ${e.status}`);
  }
}

export function kubectlJsonSync<T = any>(args: string[]): T {
  return JSON.parse(kubectlSync([...args, '-o', 'json'])) as T;
}

/** `kubectl apply` of one object. */
export function applyJson(object: object): void {
  kubectlSync(['apply', '-f', '-'], { input: JSON.stringify(object) });
}

/** The node's InternalIP: pods with hostNetwork (the agent) reach a server bound there. */
export async function nodeAddress(node: string = NODE_NAME): Promise<string> {
  const ip = (await kubectl(['get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'])).stdout.trim();
  if (!ip) throw new Error(`node ${node} reports no InternalIP`);
  return ip;
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
  await eventually(`ServiceAccount ${name}/default`, 30_000, async () => (await kubectl(['-n', name, 'get', 'serviceaccount', 'default'], { allowFailure: true })).exitCode === 0);
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

/**
 * A kubeconfig at `path` that acts as ServiceAccount `name` in `namespace` (created if missing),
 * with a token from the TokenRequest API and the local cluster's server and CA; its namespace is
 * the context's. Requests are allowed exactly as far as the RBAC bound to that account says.
 */
export async function serviceAccountKubeconfig(namespace: string, name: string, path: string): Promise<void> {
  await tokenKubeconfig(namespace, name, await serviceAccountToken(namespace, name), path);
}

/** A kubeconfig at `path` that reaches the local cluster as whoever `token` belongs to. */
export async function tokenKubeconfig(namespace: string, name: string, token: string, path: string): Promise<void> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(clusterKubeconfig());
  const cluster = kc.getCurrentCluster()!;
  const ca = cluster.caData ? `certificate-authority-data: ${cluster.caData}` : `certificate-authority: ${JSON.stringify(cluster.caFile)}`;
  writeFileSync(path, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: ${JSON.stringify(cluster.server)}, ${ca}}}]
users: [{name: ${name}, user: {token: ${JSON.stringify(token)}}}]
contexts: [{name: ${name}, context: {cluster: c, user: ${name}, namespace: ${namespace}}}]
current-context: ${name}
`);
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

/** Teardown of a test that ran an agent for a fake node: its catalog namespace, the node (see deleteFakeNode) and its Events. */
export async function removeFakeNodeAndNamespace(namespace: string, node: string): Promise<void> {
  await deleteNamespace(namespace).catch(() => undefined);
  await kubectl(['delete', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${node}`], { allowFailure: true }).catch(() => undefined);
  await deleteFakeNode(node).catch(() => undefined); // already gone, or no cluster to clean
}

/** A short suffix for names a test makes (fake nodes, namespaces) that no other run uses. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(1).toString('hex')}`;
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

/** The extra nodes of test/cluster/nodes.sh, berth-node-2..N, beside the machine's NODE_NAME. */
export function extraNodeNames(count: number): string[] {
  return Array.from({ length: count - 1 }, (_, i) => `berth-node-${i + 2}`);
}

/**
 * Registers before/after hooks in the calling describe() that make the cluster `count` nodes
 * (test/cluster/nodes.sh add; the first time it builds the nodes' root file system, about 3
 * minutes) and remove the extra ones again, so the tests after it find the single node they expect.
 * The whole run holds the cluster's lock, as nodes.sh asks. `withoutAgent` names extra nodes that
 * get no berth image, so berth's agent cannot run there; `cacheSize` gives extra nodes a small file
 * system of their own for berth's image cache (tmpfs sizes: '8m'), as nodes with a small disk.
 */
export function withExtraNodes(count: number, options: { withoutAgent?: string[]; cacheSize?: Record<string, string> } = {}): void {
  const script = join(repo, 'test', 'cluster', 'nodes.sh');
  const index = (name: string) => name.replace(/^berth-node-/, '');
  // A node given no berth image cannot start the agent's pod: a node without the agent.
  const bare = Object.fromEntries((options.withoutAgent ?? []).map((name) => [`BERTH_NODE_IMAGES_${index(name)}`, '']));
  const small = Object.fromEntries(Object.entries(options.cacheSize ?? {}).map(([name, size]) => [`BERTH_NODE_CACHE_SIZE_${index(name)}`, size]));
  before(async function () {
    this.timeout(15 * 60_000);
    await execa('bash', [script, 'add', String(count)], { stdout: 'inherit', stderr: 'inherit', env: { ...kubectlEnv(), ...bare, ...small } });
  });
  after(async function () {
    this.timeout(2 * 60_000);
    await execa('bash', [script, 'rm'], { stdout: 'inherit', stderr: 'inherit', env: kubectlEnv() });
  });
}
