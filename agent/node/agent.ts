// Wires the node agent together: KVM probe → node labels and device plugins; catalog → image
// cache → node status, events and metrics. Each part is its own module; this file only connects
// them and owns the timers.
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { DeviceResources, Labels, Paths, type CatalogEntry } from '../../shared/contract.js';
import { run } from '../common/exec.js';
import type { AgentConfig } from './config.js';
import { openDeviceNode } from './deviceplugin/device-nodes.js';
import { DevicePluginServer, superviseDevicePlugins } from './deviceplugin/server.js';
import { startHttpServer } from './http/server.js';
import { renderMetrics } from './http/metrics.js';
import { ImageCache } from './images/cache.js';
import { defaultBackoff } from './images/retry.js';
import { imagesInUse, vmPodsOf } from './images/in-use.js';
import { listPodResources } from './podnet/pod-resources.js';
import type { KvmVerdict } from './kvm/decide.js';
import { probeNode } from './kvm/probe.js';
import { settleVerdict, type ProbeHistory } from './kvm/settle.js';
import { humanDelay } from '../../shared/duration.js';
import { connectAgentKube } from './kube.js';
import { vmNetworkPreStart } from './podnet/prestart.js';
import { NodeStatusPublisher } from './status/publisher.js';

/** Events about a cluster-scoped object (our Node) may only live in 'default' or 'kube-system'. */
export const NODE_EVENT_NAMESPACE = 'default';

export function agentVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${message}\n`);
}

export async function runAgent(config: AgentConfig): Promise<void> {
  const version = agentVersion();
  log(`berth node agent ${version} on node ${config.nodeName}; cache ${config.cacheDir}; catalog ${config.catalogNamespace}/${config.catalogName}`);
  const kube = await connectAgentKube({ nodeName: config.nodeName, catalogNamespace: config.catalogNamespace, catalogName: config.catalogName, eventNamespace: NODE_EVENT_NAMESPACE });
  log(`API server: credentials from ${kube.credentialSource}`);
  let verdict: KvmVerdict | undefined;
  let catalogSeen = false;
  let lastCatalogError = '';

  const cache = new ImageCache({
    cacheDir: config.cacheDir,
    maxConcurrent: config.maxDownloads,
    stallMs: config.stallMs,
    backoff: { ...defaultBackoff, initialMs: config.retryMinMs, maxMs: config.retryMaxMs },
    reserve: config.diskReserve,
    cacheMax: config.cacheMax,
    listInUse: async () => {
      const [podResources, statefulSets] = await Promise.all([listPodResources(config.podResourcesSocket), kube.listVmStatefulSets()]);
      return imagesInUse(vmPodsOf(podResources), statefulSets);
    },
    onChange: () => publisher.schedule(),
    onEvent: (reason, message) => {
      kube.createNodeEvent(reason, message, reason === 'ImageEvicted' ? 'Normal' : 'Warning').catch((e) => log(`cannot record an event: ${(e as Error).message.split('\n')[0]}`));
    },
    log,
  });
  const publisher = new NodeStatusPublisher(
    {
      readNodeLabels: () => kube.readNodeLabels(),
      mergePatchNode: (patch) => kube.mergePatchNode(patch),
      snapshot: () => ({ verdict, agentVersion: version, images: catalogSeen ? cache.statuses() : undefined }),
      log,
    },
    config.statusIntervalMs,
  );

  // Device plugins: tun wherever the device exists; kvm only once a guest has run under KVM.
  // The tun resource marks VM pods: its PreStartContainer builds the pod's network and its
  // allocation mounts the image cache, so the VM pod itself needs no capability and no hostPath.
  const slots = config.deviceSlots;
  const openNode = async (source: string, name: string) =>
    existsSync(source) ? openDeviceNode(source, config.deviceNodeDir, name, run) : undefined;
  const tunNode = config.devicePlugins ? await openNode(config.tunDevice, 'tun') : undefined;
  const kvmNode = config.devicePlugins ? await openNode(config.kvmDevicePath, 'kvm').catch(() => undefined) : undefined;
  const tun = new DevicePluginServer(
    {
      resourceName: DeviceResources.tun,
      socketName: `${config.socketPrefix}-tun.sock`,
      devicePath: '/dev/net/tun',
      hostPath: tunNode,
      idPrefix: 'tun',
      slots,
      mounts: [{ hostPath: config.cacheDir, containerPath: Paths.imageCache }],
    },
    config.devicePluginDir,
    log,
    vmNetworkPreStart({ podResources: config.podResourcesSocket, runtime: config.runtimeSocket }, log),
  );
  const kvm = new DevicePluginServer(
    { resourceName: DeviceResources.kvm, socketName: `${config.socketPrefix}-kvm.sock`, devicePath: '/dev/kvm', hostPath: kvmNode, idPrefix: 'kvm', slots },
    config.devicePluginDir,
    log,
  );
  const plugins: DevicePluginServer[] = [];
  // Without the runtime's socket no VM pod's network can be built, so no VM pod should land here.
  const runtimeReachable = existsSync(config.runtimeSocket);
  if (tunNode && runtimeReachable) plugins.push(tun);
  else if (config.devicePlugins && !tunNode) log(`${config.tunDevice} does not exist: not offering ${DeviceResources.tun}`);
  else if (config.devicePlugins) {
    log(`no container runtime socket at ${config.runtimeSocket}: not offering ${DeviceResources.tun}, so no VM pod lands on this node; set BERTH_AGENT_RUNTIME_SOCKET (and mount its directory) to the node's CRI socket`);
  }
  const supervisor = config.devicePlugins ? superviseDevicePlugins(plugins, 2000, log) : undefined;

  // What the previous agent published counts until a probe here confirms otherwise (settle.ts).
  let probeHistory: ProbeHistory = { withoutKvm: 0 };
  try {
    const labels = await kube.readNodeLabels();
    if (labels[Labels.nodeKvm] !== undefined) probeHistory = { withoutKvm: 0, published: { kvm: labels[Labels.nodeKvm] === 'true', node: labels[Labels.nodeReady] === 'true' } };
  } catch (error) {
    log(`cannot read the node's labels: ${(error as Error).message.split('\n')[0]}`);
  }
  /** Probes, publishes the settled verdict; true when the next probe should come soon. */
  const probe = async (): Promise<boolean> => {
    const result = await probeNode({ cpuinfoPath: config.cpuinfoPath, kvmDevicePath: config.kvmDevicePath, sysfsPath: config.sysfsPath, qemuBinary: config.qemuBinary, guestTimeoutMs: config.probeTimeoutMs });
    const settled = settleVerdict(probeHistory, result.verdict);
    probeHistory = settled.history;
    // One line per probe (every ten minutes, or soon after one without KVM): what it found and what the node shows.
    const kept = settled.publish !== result.verdict ? ' until a second probe confirms what this one found' : '';
    const next = settled.retrySoon ? `; probing again in ${humanDelay(config.probeRetryMs)}` : '';
    log(`KVM probe: kvm=${result.verdict.kvm} node=${result.verdict.node}: ${result.verdict.reason}; the node shows kvm=${settled.publish.kvm} node=${settled.publish.node}${kept}${next}`);
    verdict = settled.publish;
    if (config.devicePlugins && verdict.kvm && !plugins.includes(kvm)) {
      // /dev/kvm may have appeared after the agent started (kvm module loaded late): its 0666 node
      // is made now. Without one, uid 107 could not open the host's node, so KVM is not offered.
      kvm.device.hostPath ??= await openNode(config.kvmDevicePath, 'kvm').catch(() => undefined);
      if (kvm.device.hostPath) plugins.push(kvm);
      else log(`cannot make a device node for ${config.kvmDevicePath} in ${config.deviceNodeDir}: not offering ${DeviceResources.kvm}`);
    }
    kvm.setHealthy(verdict.kvm);
    publisher.schedule();
    return settled.retrySoon;
  };
  let probeTimer: NodeJS.Timeout | undefined;
  const probeLoop = async () => {
    let soon = true;
    try {
      soon = await probe();
    } catch (error) {
      log(`KVM probe failed: ${(error as Error).message}`);
    }
    if (!stopping) probeTimer = setTimeout(() => void probeLoop(), soon ? config.probeRetryMs : config.probeIntervalMs);
  };

  const syncCatalog = async () => {
    try {
      const catalog = await kube.readCatalog();
      const { entries, problems } = catalog ?? { entries: new Map<string, CatalogEntry>(), problems: [] };
      if (catalog === null && !catalogSeen) log(`catalog ${config.catalogNamespace}/${config.catalogName} does not exist: treating it as empty`);
      catalogSeen = true;
      lastCatalogError = '';
      await cache.setCatalog(entries, problems);
    } catch (error) {
      const message = (error as Error).message.split('\n')[0];
      if (message !== lastCatalogError) log(`cannot read the catalog: ${message}`);
      lastCatalogError = message;
    }
  };

  let stopping = false;
  let watchHandle: { abort(): void } | undefined;
  let pendingSync: NodeJS.Timeout | undefined;
  const debouncedSync = () => {
    clearTimeout(pendingSync);
    pendingSync = setTimeout(() => void syncCatalog(), 200);
  };
  const watchLoop = async () => {
    while (!stopping) {
      const ended = new Promise<void>((resolve) => {
        kube.watchCatalog(debouncedSync, () => resolve()).then((h) => (watchHandle = h), () => resolve());
      });
      await ended;
      if (stopping) return;
      await new Promise((r) => setTimeout(r, 2000));
      await syncCatalog();
    }
  };

  const server: Server = await startHttpServer(
    config.httpHost,
    config.httpPort,
    () => renderMetrics({ agentVersion: version, node: config.nodeName, kvm: verdict?.kvm, qemu: verdict?.node, images: cache.statuses(), ...cache.counters, devicePlugins: new Map(plugins.map((p) => [p.device.resourceName, p.registered])) }),
    () => ({ ok: true, detail: `catalog ${!config.images ? 'off' : catalogSeen ? 'read' : 'not read yet'}${lastCatalogError ? ` (last error: ${lastCatalogError})` : ''}` }),
  );
  log(`serving /healthz and /metrics on http://${config.httpHost}:${config.httpPort}`);

  // Serve first: the probe (and so the kvm device plugin) and the catalog's images as they are on
  // disk. Their files got their names only once their checksums matched; hashing them all again
  // takes minutes on a large cache, so it runs in the background, and a file that fails it goes
  // out of service then.
  publisher.schedule();
  void probeLoop();
  if (config.images) {
    await syncCatalog();
    void watchLoop();
    void cache.verifyExisting().catch((e) => log(`cannot verify the cached images: ${(e as Error).message}`));
  } else log('image cache off (--images off): not reading the catalog');
  const resyncTimer = setInterval(() => {
    if (config.images) void syncCatalog().then(() => cache.resync());
    else publisher.schedule();
  }, config.resyncIntervalMs);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping (partial downloads are kept and resume at the next start)`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  clearTimeout(probeTimer);
  clearInterval(resyncTimer);
  clearTimeout(pendingSync);
  watchHandle?.abort();
  cache.stop();
  await supervisor?.stop();
  await publisher.flush();
  publisher.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
