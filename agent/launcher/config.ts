// The launcher's configuration, read from the environment contract the plugin writes into the VM
// pod (LauncherEnv). Every problem is reported at once, before anything is touched.
//
// The plugin always sets every variable. When one is missing (the launcher run by hand or by a
// test) it falls back to the VM defaults all sides share (shared/defaults.ts), so the VM is the one
// `kubectl berth create` makes without flags; only what cannot be guessed without risk (the VM's
// name and namespace, the pod IP, the accelerator, the base image) is required.
import { resolve } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import { FIRMWARES, GUEST_SHUTDOWN_ACTIONS, LauncherEnv, Paths, Ports, type Accel, type Firmware, type GuestShutdownAction, type VncMode } from '../../shared/contract.js';
import { VM_DEFAULTS, VM_LIMITS } from '../../shared/defaults.js';
import { parseDuration } from '../../shared/duration.js';
import { formatBinary, MiB, parseSize } from '../../shared/quantity.js';
import { formatIpv4, inSubnet, parseIpv4, slash30Problem, VM_PREFIX, networkOf } from '../common/ipv4.js';

export interface LauncherPaths {
  imageCache: string;
  disk: string;
  cloudInit: string;
  run: string;
  resolvConf: string;
}

export interface LauncherConfig {
  vmName: string;
  namespace: string;
  podIp: string;
  accel: Accel;
  cpus: number;
  memoryMiB: number;
  imageUrl?: string;
  /** Undefined for a URL image whose checksum is not known in advance. */
  imageSha256?: string;
  /** Virtual size of the pet disk in bytes; undefined keeps the base image's size. */
  diskSizeBytes?: number;
  vmIp: string;
  vmGateway: string;
  vnc: VncMode;
  shutdownSeconds: number;
  firmware: Firmware;
  onGuestShutdown: GuestShutdownAction;
  /** Guest TCP ports reachable on the pod's 127.0.0.1 (kubectl port-forward). */
  loopbackPorts: number[];
  paths: LauncherPaths;
}

/** Where the guest's DNS servers come from when BERTH_RESOLV_CONF does not say otherwise. */
export const RESOLV_CONF = '/etc/resolv.conf';

/** qcow2 sizes are whole 512-byte sectors. */
const SECTOR_BYTES = 512;

/** The shared defaults in the units of the environment contract (MiB, seconds). */
export const launcherDefaults = {
  cpus: VM_DEFAULTS.cpus,
  memoryMiB: Math.ceil(fromTable(parseSize(VM_DEFAULTS.memory)).bytes / MiB),
  vnc: VM_DEFAULTS.vnc,
  firmware: VM_DEFAULTS.firmware,
  onGuestShutdown: VM_DEFAULTS.onGuestShutdown,
  shutdownSeconds: Math.round(fromTable(parseDuration(VM_DEFAULTS.shutdownTimeout)).ms / 1000),
  vmIp: VM_DEFAULTS.vmIp,
  vmGateway: VM_DEFAULTS.vmGateway,
} as const;

/** A value of the shared table, parsed; the table is a constant, so a failure is a bug. */
function fromTable<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
  if (!result.ok) throw new Error(`shared/defaults.ts holds a value its own parser rejects: ${JSON.stringify(result)}`);
  return result as Extract<T, { ok: true }>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;
const ACCELS: readonly Accel[] = ['kvm', 'tcg'];
const VNC_MODES: readonly VncMode[] = ['loopback', 'password', 'off'];

export function parseLauncherConfig(env: NodeJS.ProcessEnv): LauncherConfig {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value = env[key]?.trim();
    return value === '' ? undefined : value;
  };
  const required = (key: string): string => {
    const value = text(key);
    if (value === undefined) problems.push(`${key} is not set`);
    return value ?? '';
  };
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const value = text(key);
    if (value === undefined) return fallback;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${key}=${value} is not a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback?: T): T => {
    const value = fallback === undefined ? required(key) : (text(key) ?? fallback);
    if (value !== '' && !allowed.includes(value as T)) problems.push(`${key}=${value} is not one of ${allowed.join(', ')}`);
    return value as T;
  };

  const vmName = required(LauncherEnv.vmName);
  if (vmName && !DNS_LABEL.test(vmName)) problems.push(`${LauncherEnv.vmName}=${vmName} is not a DNS label`);
  const namespace = required(LauncherEnv.namespace);
  if (namespace && !DNS_LABEL.test(namespace)) problems.push(`${LauncherEnv.namespace}=${namespace} is not a DNS label`);
  const accel = oneOf(LauncherEnv.accel, ACCELS);
  const vnc = oneOf(LauncherEnv.vnc, VNC_MODES, launcherDefaults.vnc);
  const firmware = oneOf(LauncherEnv.firmware, FIRMWARES, launcherDefaults.firmware);
  const onGuestShutdown = oneOf(LauncherEnv.onGuestShutdown, GUEST_SHUTDOWN_ACTIONS, launcherDefaults.onGuestShutdown);
  const cpus = integer(LauncherEnv.cpus, launcherDefaults.cpus, 1, VM_LIMITS.maxCpus);
  const memoryMiB = integer(LauncherEnv.memoryMiB, launcherDefaults.memoryMiB, VM_LIMITS.minMemoryBytes / MiB, VM_LIMITS.maxMemoryBytes / MiB);
  const shutdownSeconds = integer(LauncherEnv.shutdownSeconds, launcherDefaults.shutdownSeconds, 0, VM_LIMITS.maxShutdownSeconds);

  const imageSha256 = text(LauncherEnv.imageSha256)?.toLowerCase();
  if (imageSha256 !== undefined && !SHA256.test(imageSha256)) problems.push(`${LauncherEnv.imageSha256} is not 64 hex digits`);
  const imageUrl = text(LauncherEnv.imageUrl);
  if (imageUrl !== undefined && !/^https?:\/\/\S+$/.test(imageUrl)) {
    problems.push(`${LauncherEnv.imageUrl}=${imageUrl} is not an http(s) URL`);
  }
  if (imageUrl === undefined && imageSha256 === undefined) {
    problems.push(`neither ${LauncherEnv.imageSha256} nor ${LauncherEnv.imageUrl} is set: there is no base image`);
  }

  let diskSizeBytes: number | undefined;
  const diskSize = text(LauncherEnv.diskSize);
  if (diskSize !== undefined) {
    const parsed = parseSize(diskSize);
    if (!parsed.ok) problems.push(`${LauncherEnv.diskSize}=${diskSize}: ${parsed.problem}`);
    else if (parsed.bytes < VM_LIMITS.minDiskBytes) problems.push(`${LauncherEnv.diskSize}=${diskSize} is smaller than the ${VM_LIMITS.minDiskBytes / MiB}Mi minimum`);
    else if (parsed.bytes > VM_LIMITS.maxDiskBytes) problems.push(`${LauncherEnv.diskSize}=${diskSize} is larger than the ${formatBinary(VM_LIMITS.maxDiskBytes)} maximum`);
    else diskSizeBytes = Math.ceil(parsed.bytes / SECTOR_BYTES) * SECTOR_BYTES;
  }

  const podIp = required(LauncherEnv.podIp);
  const vmIp = text(LauncherEnv.vmIp) ?? launcherDefaults.vmIp;
  const vmGateway = text(LauncherEnv.vmGateway) ?? launcherDefaults.vmGateway;
  problems.push(...networkProblems(podIp, vmIp, vmGateway));

  const loopbackPorts: number[] = [Ports.ssh];
  for (const item of (text(LauncherEnv.loopbackPorts) ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const port = /^\d+$/.test(item) ? Number(item) : NaN;
    if (!(port >= 1 && port <= 65535)) problems.push(`${LauncherEnv.loopbackPorts}: ${item} is not a TCP port`);
    else if (port === Ports.vnc) problems.push(`${LauncherEnv.loopbackPorts}: ${port} belongs to the VNC server in the pod`);
    else if (!loopbackPorts.includes(port)) loopbackPorts.push(port);
  }

  if (problems.length > 0) {
    throw new BerthError('INVALID_VALUE', `the VM pod's launcher settings are invalid:\n  - ${problems.join('\n  - ')}`, {
      hint: 'These variables are written by kubectl-berth into the VM pod; recreate the VM with a current kubectl berth, or fix the variables if you run the launcher by hand.',
    });
  }

  const path = (key: string, fallback: string): string => resolve(text(key) ?? fallback);
  return {
    vmName,
    namespace,
    podIp,
    accel,
    cpus,
    memoryMiB,
    imageUrl,
    imageSha256,
    diskSizeBytes,
    vmIp,
    vmGateway,
    vnc,
    shutdownSeconds,
    firmware,
    onGuestShutdown,
    loopbackPorts,
    paths: {
      imageCache: path(LauncherEnv.imageCacheDir, Paths.imageCache),
      disk: path(LauncherEnv.diskDir, Paths.vmDisk),
      cloudInit: path(LauncherEnv.cloudInitDir, Paths.cloudInit),
      run: path(LauncherEnv.runDir, Paths.launcherRun),
      resolvConf: path(LauncherEnv.resolvConf, RESOLV_CONF),
    },
  };
}

function networkProblems(podIpText: string, vmIpText: string, gatewayText: string): string[] {
  const podIp = parseIpv4(podIpText);
  const vmIp = parseIpv4(vmIpText);
  const gateway = parseIpv4(gatewayText);
  const problems: string[] = [];
  if (podIpText && podIp === undefined) problems.push(`${LauncherEnv.podIp}=${podIpText} is not an IPv4 address`);
  if (vmIp === undefined) problems.push(`${LauncherEnv.vmIp}=${vmIpText} is not an IPv4 address`);
  if (gateway === undefined) problems.push(`${LauncherEnv.vmGateway}=${gatewayText} is not an IPv4 address`);
  if (vmIp === undefined || gateway === undefined) return problems;
  const slash30 = slash30Problem(gateway, vmIp);
  if (slash30) problems.push(`${LauncherEnv.vmIp}=${vmIpText}, ${LauncherEnv.vmGateway}=${gatewayText}: ${slash30}`);
  if (podIp !== undefined && inSubnet(podIp, vmIp, VM_PREFIX)) {
    const net = `${formatIpv4(networkOf(vmIp, VM_PREFIX))}/${VM_PREFIX}`;
    problems.push(`the pod IP ${podIpText} lies inside the VM's private network ${net}; choose another ${LauncherEnv.vmIp}/${LauncherEnv.vmGateway}`);
  }
  return problems;
}
