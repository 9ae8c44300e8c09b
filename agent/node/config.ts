// The agent's settings: command-line options first, then BERTH_AGENT_* environment variables, then
// defaults. Pure, so a typo in a DaemonSet arg fails at start with a message naming it.
import { parseArgs } from 'node:util';
import { parseDuration as parseDurationValue } from '../../shared/duration.js';
import { AgentCacheEnv, Catalog, IMAGE_CACHE_BUDGET, Paths, Ports, SYSTEM_NAMESPACE } from '../../shared/contract.js';
import { parseCacheMax, parseDiskReserve, type DiskReserve } from '../../shared/cache-budget.js';

export interface AgentConfig {
  command: 'run' | 'probe';
  nodeName: string;
  cacheDir: string;
  devicePluginDir: string;
  devicePlugins: boolean;
  /** Whether to cache catalog images (off: probe and device plugins only; the image annotation is left alone). */
  images: boolean;
  /** Socket files are <prefix>-kvm.sock and <prefix>-tun.sock. */
  socketPrefix: string;
  deviceSlots: number;
  tunDevice: string;
  /** Where the agent makes the 0666 device nodes it hands to VM pods (device-nodes.ts). */
  deviceNodeDir: string;
  /** The kubelet's PodResources socket: which pod holds a device (PreStartContainer). */
  podResourcesSocket: string;
  /** The container runtime's CRI socket: a VM pod's UID and annotations (PreStartContainer). */
  runtimeSocket: string;
  httpHost: string;
  httpPort: number;
  catalogNamespace: string;
  catalogName: string;
  maxDownloads: number;
  stallMs: number;
  /** A failed download is tried again after retryMinMs, doubling after each failure up to retryMaxMs. */
  retryMinMs: number;
  retryMaxMs: number;
  /** Free space the image cache keeps on its file system. */
  diskReserve: DiskReserve;
  /** Cap on the image cache's size; undefined for none. */
  cacheMax?: number;
  probeIntervalMs: number;
  /** After a probe without KVM: how soon to probe again (kvm/settle.ts). */
  probeRetryMs: number;
  statusIntervalMs: number;
  resyncIntervalMs: number;
  cpuinfoPath: string;
  kvmDevicePath: string;
  sysfsPath: string;
  qemuBinary: string;
  probeTimeoutMs: number;
}

const options = {
  'node-name': { type: 'string', env: 'NODE_NAME' },
  'cache-dir': { type: 'string', env: 'BERTH_AGENT_CACHE_DIR', default: Paths.imageCache },
  'device-plugin-dir': { type: 'string', env: 'BERTH_AGENT_DEVICE_PLUGIN_DIR', default: Paths.kubeletDevicePlugins },
  'device-plugins': { type: 'string', env: 'BERTH_AGENT_DEVICE_PLUGINS', default: 'on' },
  images: { type: 'string', env: 'BERTH_AGENT_IMAGES', default: 'on' },
  'socket-prefix': { type: 'string', env: 'BERTH_AGENT_SOCKET_PREFIX', default: 'berth' },
  'device-slots': { type: 'string', env: 'BERTH_AGENT_DEVICE_SLOTS', default: '110' },
  'tun-device': { type: 'string', env: 'BERTH_AGENT_TUN_DEVICE', default: '/dev/net/tun' },
  'device-node-dir': { type: 'string', env: 'BERTH_AGENT_DEVICE_NODE_DIR', default: Paths.agentDeviceNodes },
  'pod-resources-socket': { type: 'string', env: 'BERTH_AGENT_POD_RESOURCES_SOCKET', default: Paths.kubeletPodResources },
  'runtime-socket': { type: 'string', env: 'BERTH_AGENT_RUNTIME_SOCKET', default: Paths.containerRuntime },
  http: { type: 'string', env: 'BERTH_AGENT_HTTP', default: `127.0.0.1:${Ports.agentHttp}` },
  'catalog-namespace': { type: 'string', env: 'BERTH_AGENT_CATALOG_NAMESPACE', default: SYSTEM_NAMESPACE },
  'catalog-name': { type: 'string', env: 'BERTH_AGENT_CATALOG_NAME', default: Catalog.configMap },
  'max-downloads': { type: 'string', env: 'BERTH_AGENT_MAX_DOWNLOADS', default: '2' },
  'stall-timeout': { type: 'string', env: 'BERTH_AGENT_STALL_TIMEOUT', default: '60s' },
  'retry-min': { type: 'string', env: 'BERTH_AGENT_RETRY_MIN', default: '2s' },
  'retry-max': { type: 'string', env: 'BERTH_AGENT_RETRY_MAX', default: '5m' },
  'disk-reserve': { type: 'string', env: AgentCacheEnv.diskReserve, default: IMAGE_CACHE_BUDGET.diskReserve },
  'cache-max': { type: 'string', env: AgentCacheEnv.cacheMax, default: IMAGE_CACHE_BUDGET.cacheMax },
  'probe-interval': { type: 'string', env: 'BERTH_AGENT_PROBE_INTERVAL', default: '10m' },
  'probe-retry': { type: 'string', env: 'BERTH_AGENT_PROBE_RETRY', default: '30s' },
  'status-interval': { type: 'string', env: 'BERTH_AGENT_STATUS_INTERVAL', default: '2s' },
  'resync-interval': { type: 'string', env: 'BERTH_AGENT_RESYNC_INTERVAL', default: '60s' },
  cpuinfo: { type: 'string', env: 'BERTH_AGENT_CPUINFO', default: '/proc/cpuinfo' },
  'kvm-device': { type: 'string', env: 'BERTH_AGENT_KVM_DEVICE', default: '/dev/kvm' },
  sysfs: { type: 'string', env: 'BERTH_AGENT_SYSFS', default: '/sys' },
  qemu: { type: 'string', env: 'BERTH_AGENT_QEMU', default: 'qemu-system-x86_64' },
  'probe-timeout': { type: 'string', env: 'BERTH_AGENT_PROBE_TIMEOUT', default: '10s' },
} as const;

export class ConfigError extends Error {}

/** A duration option: '30s', '10m', '1h', '500ms' or bare seconds (the plugin's own parser). */
export function parseDuration(flag: string, value: string): number {
  const result = parseDurationValue(value);
  if (!result.ok) throw new ConfigError(`--${flag}: ${result.problem}`);
  return result.ms;
}

function retryBounds(retryMinMs: number, retryMaxMs: number): { retryMinMs: number; retryMaxMs: number } {
  if (retryMinMs <= 0) throw new ConfigError('--retry-min must be longer than 0');
  if (retryMaxMs < retryMinMs) throw new ConfigError(`--retry-max (${retryMaxMs} ms) must not be shorter than --retry-min (${retryMinMs} ms)`);
  return { retryMinMs, retryMaxMs };
}

function budgetOption<T>(flag: string, result: { ok: true; value: T } | { ok: false; problem: string }): T {
  if (!result.ok) throw new ConfigError(`--${flag}: ${result.problem}`);
  return result.value;
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--${flag} '${value}' must be a whole number of at least 1`);
  return n;
}

export function parseAgentConfig(argv: string[], env: NodeJS.ProcessEnv): AgentConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(Object.keys(options).map((k) => [k, { type: 'string' as const }])),
    });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const command = parsed.positionals[0] ?? 'run';
  if (command !== 'run' && command !== 'probe') throw new ConfigError(`unknown command '${command}': use 'run' (default) or 'probe'`);
  const get = (name: keyof typeof options): string | undefined => {
    const o = options[name];
    return (parsed.values[name] as string | undefined) ?? env[o.env] ?? ('default' in o ? o.default : undefined);
  };
  const nodeName = get('node-name') ?? '';
  if (command === 'run' && !nodeName) throw new ConfigError('the node name is missing: set NODE_NAME (downward API spec.nodeName) or --node-name');
  const http = get('http')!;
  const hm = /^(.+):(\d+)$/.exec(http);
  if (!hm) throw new ConfigError(`--http '${http}' must be host:port, e.g. 127.0.0.1:${Ports.agentHttp}`);
  const onOff = (name: 'device-plugins' | 'images'): boolean => {
    const value = get(name)!;
    if (value !== 'on' && value !== 'off') throw new ConfigError(`--${name} '${value}' must be on or off`);
    return value === 'on';
  };
  return {
    command,
    nodeName,
    cacheDir: get('cache-dir')!,
    devicePluginDir: get('device-plugin-dir')!,
    devicePlugins: onOff('device-plugins'),
    images: onOff('images'),
    socketPrefix: get('socket-prefix')!,
    deviceSlots: positiveInt('device-slots', get('device-slots')!),
    tunDevice: get('tun-device')!,
    deviceNodeDir: get('device-node-dir')!,
    podResourcesSocket: get('pod-resources-socket')!,
    runtimeSocket: get('runtime-socket')!,
    httpHost: hm[1],
    httpPort: Number(hm[2]),
    catalogNamespace: get('catalog-namespace')!,
    catalogName: get('catalog-name')!,
    maxDownloads: positiveInt('max-downloads', get('max-downloads')!),
    stallMs: parseDuration('stall-timeout', get('stall-timeout')!),
    ...retryBounds(parseDuration('retry-min', get('retry-min')!), parseDuration('retry-max', get('retry-max')!)),
    diskReserve: budgetOption('disk-reserve', parseDiskReserve(get('disk-reserve')!)),
    cacheMax: budgetOption('cache-max', parseCacheMax(get('cache-max')!)),
    probeIntervalMs: parseDuration('probe-interval', get('probe-interval')!),
    probeRetryMs: parseDuration('probe-retry', get('probe-retry')!),
    statusIntervalMs: parseDuration('status-interval', get('status-interval')!),
    resyncIntervalMs: parseDuration('resync-interval', get('resync-interval')!),
    cpuinfoPath: get('cpuinfo')!,
    kvmDevicePath: get('kvm-device')!,
    sysfsPath: get('sysfs')!,
    qemuBinary: get('qemu')!,
    probeTimeoutMs: parseDuration('probe-timeout', get('probe-timeout')!),
  };
}
