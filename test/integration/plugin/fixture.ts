// Shared pieces of the plugin's integration tests: the real bin/kubectl-berth run as a process
// against the local cluster, a client to check what it did, and namespaces and node labels that
// are put back exactly as they were found.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const bin = join(repo, 'bin', 'kubectl-berth');
export const kubeconfig = process.env.BERTH_TEST_KUBECONFIG ?? join(homedir(), '.cache/kubectl-berth/cluster/kubeconfig');
export const NODE = 'berth-node';
/** An image URL that fails at once, so VM pods that do start never download or boot anything. */
export const DEAD_IMAGE = 'http://127.0.0.1:9/t-plugin.qcow2';
export const TEST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBerthPluginTestKeyOnly0000000000000000000 t-plugin@test';

/** A HOME with one public key, so the default ~/.ssh/*.pub discovery has something to find. */
export const fakeHome = (() => {
  const home = mkdtempSync(join(tmpdir(), 't-plugin-home-'));
  mkdirSync(join(home, '.ssh'));
  writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), `${TEST_KEY}\n`);
  return home;
})();

export interface Run {
  exitCode: number;
  stdout: string;
  /** As printed; oclif wraps long error lines. */
  stderr: string;
  /** stderr with line wrapping undone, for matching messages. */
  message: string;
}

/** Runs bin/kubectl-berth with no terminal, as a script would. */
export async function berth(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const result = await execa(bin, args, {
    reject: false,
    input: options.input ?? '',
    env: { KUBECONFIG: kubeconfig, HOME: fakeHome, NO_COLOR: '1', ...options.env },
    timeout: 120_000,
    stripFinalNewline: false,
  });
  const stderr = String(result.stderr);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr, message: stderr.replace(/\s*\n\s*/g, ' ') };
}

export async function kubectl(args: string[], input?: string): Promise<Run> {
  const result = await execa('kubectl', args, { reject: false, input: input ?? '', env: { KUBECONFIG: kubeconfig }, stripFinalNewline: false });
  const stderr = String(result.stderr);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr, message: stderr };
}

export async function kube() {
  const client = await import('@kubernetes/client-node');
  const kc = new client.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { client, kc, core: kc.makeApiClient(client.CoreV1Api), apps: kc.makeApiClient(client.AppsV1Api) };
}

/** Fails loudly (never skips) when the local cluster is not there. */
export async function requireCluster(): Promise<void> {
  try {
    const { core } = await kube();
    await core.readNode({ name: NODE });
  } catch (error) {
    throw new Error(`the local cluster does not answer (${kubeconfig}): bring it up with test/cluster/up.sh (${(error as Error).message.split('\n')[0]})`);
  }
}

export async function createNamespace(area: string): Promise<string> {
  const name = `t-plugin-${area}-${randomBytes(3).toString('hex')}`;
  const { core } = await kube();
  await core.createNamespace({ body: { metadata: { name } } });
  // The service account controller adds the default account and its token Secret shortly after.
  for (let i = 0; i < 50; i++) {
    const secrets = await core.listNamespacedSecret({ namespace: name });
    if (secrets.items.length > 0) break;
    await sleep(100);
  }
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  const { core } = await kube();
  await core.deleteNamespace({ name, gracePeriodSeconds: 0 }).catch(() => undefined);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns a value other than undefined, or fails naming what it waited for. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(500);
  }
}

/** Everything a create could leave behind in a namespace, by kind, for before/after comparisons. */
export async function objectCounts(namespace: string): Promise<Record<string, number>> {
  const { core, apps } = await kube();
  const [sts, secrets, pvcs, pods, cms] = await Promise.all([
    apps.listNamespacedStatefulSet({ namespace }),
    core.listNamespacedSecret({ namespace }),
    core.listNamespacedPersistentVolumeClaim({ namespace }),
    core.listNamespacedPod({ namespace }),
    core.listNamespacedConfigMap({ namespace }),
  ]);
  return { statefulsets: sts.items.length, secrets: secrets.items.length, pvcs: pvcs.items.length, pods: pods.items.length, configmaps: cms.items.length };
}

/** Sets node labels for a test and puts back exactly what was there before (value or absence). */
export async function withNodeLabels(labels: Record<string, string | null>): Promise<() => Promise<void>> {
  const { core } = await kube();
  const node = await core.readNode({ name: NODE });
  const before: Record<string, string | null> = {};
  for (const key of Object.keys(labels)) before[key] = node.metadata?.labels?.[key] ?? null;
  await patchNodeLabels(labels);
  return () => patchNodeLabels(before);
}

async function patchNodeLabels(labels: Record<string, string | null>): Promise<void> {
  const { client, kc } = await kube();
  const core = kc.makeApiClient(client.CoreV1Api);
  await core.patchNode(
    { name: NODE, body: { metadata: { labels } } },
    client.setHeaderOptions('Content-Type', client.PatchStrategy.MergePatch),
  );
}
