// The launcher's configuration, read from the environment contract the plugin writes into the VM
// pod (LauncherEnv). Every problem is reported at once, before anything is touched.
//
// The plugin always sets every variable. When one is missing (the launcher run by hand or by a
// test) it falls back to the VM defaults all sides share (shared/defaults.ts), so the VM is the one
// `kubectl berth create` makes without flags; only what cannot be guessed without risk (the VM's
// name and namespace, the pod IP, the accelerator, the base image) is required.
import { resolve } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import { FIRMWARES, GUEST_SHUTDOWN_ACTIONS, LauncherEnv, MAX_DATA_DISK_NAME_LENGTH, Paths, Ports, type Accel, type Firmware, type GuestShutdownAction, type VncMode } from '../../shared/contract.js';
import { VM_DEFAULTS, VM_LIMITS } from '../../shared/defaults.js';
import { parseDuration } from '../../shared/duration.js';
import { hotplugHeadroom } from '../../shared/vm-size.js';
import { formatBinary, MiB, parseSize } from '../../shared/quantity.js';
import { formatIpv4, inSubnet, parseIpv4, slash30Problem, VM_PREFIX, networkOf } from '../common/ipv4.js';

export interface LauncherPaths {
  imageCache: string;
  disk: string;
  /** Each data disk's volume is DATA_DISKS/NAME. */
  dataDisks: string;
  cloudInit: string;
  run: string;
  resolvConf: string;
  /** The downward-API files with the pod's CPU request and memory limit (Paths.podSize). */
  podSize: string;
}

export interface LauncherConfig {
  vmName: string;
  namespace: string;
  podIp: string;
  accel: Accel;
  cpus: number;
  memoryMiB: number;
  /** Hotplug headroom: the plugin's BERTH_MAX_*, else hotplugHeadroom of the boot size. */
  maxCpus: number;
  maxMemoryMiB: number;
  imageUrl?: string;
  /** Undefined for a URL image whose checksum is not known in advance. */
  imageSha256?: string;
  /** Virtual size of the pet disk in bytes; undefined keeps the base image's size. */
  diskSizeBytes?: number;
  /** --blank-disk: no base image; the pet disk is made empty. */
  blankDisk: boolean;
  /** --disk NAME=SIZE, in the order given. */
  dataDisks: { name: string; sizeBytes: number }[];
  /** --cdrom: the install ISO, always pinned by its sha256. */
  cdrom?: { url: string; sha256: string };
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
  const room = hotplugHeadroom({ cpus, memoryBytes: memoryMiB * MiB });
  const maxCpus = Math.max(cpus, integer(LauncherEnv.maxCpus, room.maxCpus, 1, VM_LIMITS.maxCpus));
  const maxMemoryMiB = Math.max(memoryMiB, integer(LauncherEnv.maxMemoryMiB, Math.floor(room.maxMemoryBytes / MiB), 0, VM_LIMITS.maxMemoryBytes / MiB));
  const shutdownSeconds = integer(LauncherEnv.shutdownSeconds, launcherDefaults.shutdownSeconds, 0, VM_LIMITS.maxShutdownSeconds);

  const imageSha256 = text(LauncherEnv.imageSha256)?.toLowerCase();
  if (imageSha256 !== undefined && !SHA256.test(imageSha256)) problems.push(`${LauncherEnv.imageSha256} is not 64 hex digits`);
  const imageUrl = text(LauncherEnv.imageUrl);
  if (imageUrl !== undefined && !/^https?:\/\/\S+$/.test(imageUrl)) {
    problems.push(`${LauncherEnv.imageUrl}=${imageUrl} is not an http(s) URL`);
  }
  const blankDisk = text(LauncherEnv.blankDisk) === 'true';
  if (blankDisk && (imageUrl !== undefined || imageSha256 !== undefined)) {
    problems.push(`${LauncherEnv.blankDisk}=true and a base image (${LauncherEnv.imageUrl}/${LauncherEnv.imageSha256}) are both set`);
  }
  if (!blankDisk && imageUrl === undefined && imageSha256 === undefined) {
    problems.push(`neither ${LauncherEnv.imageSha256} nor ${LauncherEnv.imageUrl} is set: there is no base image`);
  }

  const diskBytes = (what: string, value: string): number | undefined => {
    const parsed = parseSize(value);
    if (!parsed.ok) problems.push(`${what}=${value}: ${parsed.problem}`);
    else if (parsed.bytes < VM_LIMITS.minDiskBytes) problems.push(`${what}=${value} is smaller than the ${VM_LIMITS.minDiskBytes / MiB}Mi minimum`);
    else if (parsed.bytes > VM_LIMITS.maxDiskBytes) problems.push(`${what}=${value} is larger than the ${formatBinary(VM_LIMITS.maxDiskBytes)} maximum`);
    else return Math.ceil(parsed.bytes / SECTOR_BYTES) * SECTOR_BYTES;
    return undefined;
  };
  const diskSize = text(LauncherEnv.diskSize);
  const diskSizeBytes = diskSize === undefined ? undefined : diskBytes(LauncherEnv.diskSize, diskSize);
  if (blankDisk && diskSize === undefined) problems.push(`${LauncherEnv.blankDisk}=true needs ${LauncherEnv.diskSize}: a blank disk has no image to take its size from`);

  const dataDisks: LauncherConfig['dataDisks'] = [];
  for (const item of (text(LauncherEnv.dataDisks) ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const name = eq > 0 ? item.slice(0, eq) : item;
    if (eq <= 0 || !DNS_LABEL.test(name) || name.length > MAX_DATA_DISK_NAME_LENGTH) problems.push(`${LauncherEnv.dataDisks}: '${item}' is not NAME=SIZE with NAME a DNS label of at most ${MAX_DATA_DISK_NAME_LENGTH} characters`);
    else if (dataDisks.some((d) => d.name === name)) problems.push(`${LauncherEnv.dataDisks}: disk '${name}' is listed twice`);
    else {
      const sizeBytes = diskBytes(`${LauncherEnv.dataDisks} ${name}`, item.slice(eq + 1));
      if (sizeBytes !== undefined) dataDisks.push({ name, sizeBytes });
    }
  }

  const cdromUrl = text(LauncherEnv.cdromUrl);
  const cdromSha256 = text(LauncherEnv.cdromSha256)?.toLowerCase();
  let cdrom: LauncherConfig['cdrom'];
  if (cdromUrl !== undefined || cdromSha256 !== undefined) {
    if (cdromUrl === undefined || !/^https?:\/\/\S+$/.test(cdromUrl)) problems.push(`${LauncherEnv.cdromUrl}=${cdromUrl ?? ''} is not an http(s) URL`);
    if (cdromSha256 === undefined || !SHA256.test(cdromSha256)) problems.push(`${LauncherEnv.cdromSha256} is not 64 hex digits`);
    else if (cdromUrl !== undefined) cdrom = { url: cdromUrl, sha256: cdromSha256 };
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
    maxCpus,
    maxMemoryMiB,
    imageUrl,
    imageSha256,
    diskSizeBytes,
    blankDisk,
    dataDisks,
    ...(cdrom ? { cdrom } : {}),
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
      dataDisks: path(LauncherEnv.dataDisksDir, Paths.dataDisks),
      cloudInit: path(LauncherEnv.cloudInitDir, Paths.cloudInit),
      run: path(LauncherEnv.runDir, Paths.launcherRun),
      resolvConf: path(LauncherEnv.resolvConf, RESOLV_CONF),
      podSize: path(LauncherEnv.podSizeDir, Paths.podSize),
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
