// What the plugin's integration tests share beyond test/support: the plugin run with a HOME of its
// own, a client to check what it did, namespaces, node labels that are put back exactly as they
// were found, and the tun device VM pods need.
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceResources, Paths } from '../../../shared/contract.js';
import { AgentProcess } from '../../support/agent-process.js';
import { clusterKubeconfig, createUniqueNamespace, deleteNamespace as deleteTestNamespace, NODE_NAME, requireCluster as requireLocalCluster, serviceAccountKubeconfig } from '../../support/cluster.js';
import { eventually } from '../../support/eventually.js';
import { berth as runBerth, type BerthOptions, type Run } from '../../support/plugin.js';
import { freePort } from '../../support/ports.js';

export type { Run };
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

/** The plugin (test/support/plugin.ts) with HOME at fakeHome unless the test says otherwise. */
export function berth(args: string[], options: BerthOptions = {}): Promise<Run> {
  return runBerth(args, { ...options, env: { HOME: fakeHome, ...options.env } });
}

export async function kube() {
  const client = await import('@kubernetes/client-node');
  const kc = new client.KubeConfig();
  kc.loadFromFile(clusterKubeconfig());
  return { client, kc, core: kc.makeApiClient(client.CoreV1Api), apps: kc.makeApiClient(client.AppsV1Api) };
}

/** Fails loudly (never skips) when the local cluster is not there or its node is not Ready. */
export const requireCluster = requireLocalCluster;

/** A namespace of the test's own, `t-plugin-<area>-<random>`, ready for pods. */
export function createNamespace(area: string): Promise<string> {
  return createUniqueNamespace(`plugin-${area}`);
}

export async function deleteNamespace(name: string): Promise<void> {
  await deleteTestNamespace(name).catch(() => undefined);
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
  const node = await core.readNode({ name: NODE_NAME });
  const before: Record<string, string | null> = {};
  for (const key of Object.keys(labels)) before[key] = node.metadata?.labels?.[key] ?? null;
  await patchNodeLabels(labels);
  return () => patchNodeLabels(before);
}

async function patchNodeLabels(labels: Record<string, string | null>): Promise<void> {
  const { client, kc } = await kube();
  const core = kc.makeApiClient(client.CoreV1Api);
  await core.patchNode(
    { name: NODE_NAME, body: { metadata: { labels } } },
    client.setHeaderOptions('Content-Type', client.PatchStrategy.MergePatch),
  );
}

/**
 * Makes sure the node offers the tun device VM pods request, as the agent's device plugin does. If
 * no agent serves it right now, the test runs the agent's own device plugin (the real agent
 * process, images off, its node status on a Node object of its own) and stops it afterwards. Once
 * a device plugin has registered the resource the kubelet owns its count, so patching the node's
 * capacity by hand would be overwritten; only a device plugin can offer it.
 */
export async function withTunDevices(): Promise<() => Promise<void>> {
  const { core } = await kube();
  const resource = DeviceResources.tun;
  const offered = async () => Number((await core.readNode({ name: NODE_NAME })).status?.allocatable?.[resource] ?? 0);
  // The installed agent's socket (default prefix 'berth'): the node's count alone may be a stale
  // one, left in the node status for a few seconds after a device plugin stopped.
  const installedSocket = join(Paths.kubeletDevicePlugins, 'berth-tun.sock');
  if (existsSync(installedSocket) && (await offered()) > 0) return async () => undefined;
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const fakeNode = `t-plugin-tun-${suffix}`;
  const prefix = `berth-t-plugin-${suffix}`;
  await core.createNode({ body: { metadata: { name: fakeNode } } });
  const agent = new AgentProcess(
    ['--images', 'off', '--device-plugin-dir', Paths.kubeletDevicePlugins, '--socket-prefix', prefix, '--device-slots', '7', '--http', `127.0.0.1:${await freePort()}`, '--probe-interval', '1h'],
    { NODE_NAME: fakeNode },
  );
  agent.start();
  const stop = async () => {
    await agent.stop();
    await core.deleteNode({ name: fakeNode }).catch(() => undefined);
    for (const name of readdirSync(Paths.kubeletDevicePlugins)) if (name.startsWith(prefix)) rmSync(join(Paths.kubeletDevicePlugins, name), { force: true });
    // Leave the node as the next test will find it: the kubelet has seen the plugin go.
    await eventually(`${NODE_NAME} to stop offering ${resource}`, 60_000, async () => (await offered()) === 0).catch(() => undefined);
  };
  try {
    await eventually(`${NODE_NAME} to offer ${resource} from the agent's device plugin`, 60_000, async () => (await offered()) > 0);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nagent log:\n${agent.tail()}`);
  }
  return stop;
}

/**
 * A kubeconfig for a fresh ServiceAccount in `namespace` that no RBAC rule mentions: every request
 * it makes is authenticated and then forbidden.
 */
export async function powerlessKubeconfig(namespace: string, path: string): Promise<void> {
  await serviceAccountKubeconfig(namespace, 'powerless', path);
}
