// `create`'s flags, checked without touching the cluster or the disk: every syntax and combination
// error is found here, before anything is read or created. What needs I/O (key files, the user-data
// file, the image catalog) comes back as a request for the command to resolve.
//
// The name and the image are parsed apart from the rest because on a terminal they may be asked
// for: the options are checked first, so a typo costs no question, and the answers are parsed by
// the same functions as the flags.
import { BerthError } from '../../shared/errors.js';
import type { VmFlags } from '../flags/vm.js';
import { MAX_DATA_DISK_NAME_LENGTH, Ports, RESERVED_VOLUME_NAMES, type Accel, type Firmware, type GuestShutdownAction, type VncMode } from '../../shared/contract.js';
import { VM_DEFAULTS, VM_LIMITS } from './defaults.js';
import { parseDuration } from '../../shared/duration.js';
import { checkVmName } from './names.js';
import { formatBinary, parseSize } from '../../shared/quantity.js';
import { URL_CREDENTIALS_HINT, urlCredentialsProblem } from '../../shared/catalog.js';

/** 'blank': --blank-disk, a pet disk without a base image (an installer on --cdrom fills it). */
export type ImageRequest = { kind: 'url'; url: string; sha256?: string } | { kind: 'catalog'; name: string } | { kind: 'blank' };
/** --cdrom: a catalog name, or a URL with its sha256 (required: install media are read at every start). */
export type CdromRequest = { kind: 'url'; url: string; sha256: string } | { kind: 'catalog'; name: string };
/** --disk NAME=SIZE[,class=STORAGECLASS]: a blank data disk on a claim of its own. */
export interface DataDiskSpec {
  name: string;
  sizeBytes: number;
  storageClass?: string;
}
export type SshKeySource = { kind: 'text'; text: string } | { kind: 'file'; path: string };
export interface UserDataRef {
  kind: 'configmap' | 'secret';
  name: string;
}
/** Where the VNC password comes from: never the command line (shell history, ps). */
export type VncPasswordSource = { kind: 'prompt' } | { kind: 'file'; path: string } | { kind: 'stdin' };
export type DiskSpec =
  /** sizeGiven: --disk-size was typed; a reused disk without it keeps the size it has. */
  | { kind: 'pvc'; sizeBytes: number; storageClass?: string; reuse: boolean; sizeGiven: boolean }
  | { kind: 'ephemeral'; sizeBytes: number };

export interface VmRequest extends VmOptions {
  name: string;
  image: ImageRequest;
}

/** Everything the flags say about the VM but its name and image. */
export interface VmOptions {
  cpus: number;
  memoryBytes: number;
  disk: DiskSpec;
  /** --disk, in the order given. */
  dataDisks: DataDiskSpec[];
  cdrom?: CdromRequest;
  /** 'default': the user's ~/.ssh/*.pub. */
  sshKeys: SshKeySource[] | 'default';
  userDataFile?: string;
  userDataFrom?: UserDataRef;
  /** The password is filled in from vncPasswordFrom once it is read. */
  vnc: { mode: VncMode; password?: string };
  vncPasswordFrom?: VncPasswordSource;
  accel: Accel;
  nodeSelector: Record<string, string>;
  readyPort: number;
  /** Guest TCP ports the launcher relays from the pod's loopback, for port-forward (22 always). */
  ports: number[];
  shutdownSeconds: number;
  firmware: Firmware;
  onGuestShutdown: GuestShutdownAction;
}

function invalid(flag: string, problem: string, hint?: string): BerthError {
  return new BerthError('INVALID_VALUE', `--${flag}: ${problem}`, { hint });
}

function conflict(a: string, b: string, hint: string): BerthError {
  return new BerthError('USAGE', `--${a} and --${b} cannot be used together`, { hint });
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SSH_KEY_TEXT = /^(ssh-|ecdsa-|sk-)/;
/** A ConfigMap key: what an image catalog name can be. */
const CATALOG_KEY = /^[-._a-zA-Z0-9]+$/;

/** --image-sha256 (or --cdrom-sha256): 64 hex digits, `sha256:` prefix and case forgiven. */
export function parseSha256(sha256: string, flag = 'image-sha256', file = 'IMAGE.qcow2'): string {
  const digest = sha256.trim().toLowerCase().replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(digest)) {
    throw invalid(flag, `'${sha256}' is not a sha256 digest; expected 64 hex digits`, `compute it with: sha256sum ${file}`);
  }
  return digest;
}

/** How --image and --cdrom spell themselves in messages: the same parser serves both. */
interface ImageFlagNames {
  flag: string;
  shaFlag: string;
  file: string;
}
const IMAGE_FLAGS: ImageFlagNames = { flag: 'image', shaFlag: 'image-sha256', file: 'IMAGE.qcow2' };
const CDROM_FLAGS: ImageFlagNames = { flag: 'cdrom', shaFlag: 'cdrom-sha256', file: 'INSTALL.iso' };

export function parseImage(image: string, sha256: string | undefined, names: ImageFlagNames = IMAGE_FLAGS): Exclude<ImageRequest, { kind: 'blank' }> {
  const { flag, shaFlag } = names;
  const value = image.trim();
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalid(flag, `'${image}' is not a valid URL`);
    }
    if (!url.hostname) throw invalid(flag, `'${image}' has no host`);
    const credentials = urlCredentialsProblem(url);
    if (credentials) throw invalid(flag, credentials.replace(/^url /, ''), URL_CREDENTIALS_HINT);
    return sha256 === undefined ? { kind: 'url', url: url.href } : { kind: 'url', url: url.href, sha256: parseSha256(sha256, shaFlag, names.file) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw invalid(flag, `'${image}' uses an unsupported scheme; the node agent downloads http:// and https:// URLs only`);
  }
  if (value.length > 253 || !CATALOG_KEY.test(value)) {
    throw invalid(flag, `'${image}' is neither an http(s) URL nor an image name from the catalog`, 'list the catalog with: kubectl berth images');
  }
  if (sha256 !== undefined) {
    throw conflict(shaFlag, `${flag} NAME`, `the catalog already pins the sha256 of a named image; use --${shaFlag} only with a URL`);
  }
  return { kind: 'catalog', name: value };
}

/**
 * --cdrom and --cdrom-sha256. A URL needs its sha256: the ISO is cached by it (in the node's
 * cache, or on the pet volume) and read again at every start, so an unpinned URL could change
 * under an installed VM. Pure.
 */
export function parseCdrom(flags: VmFlagValues): CdromRequest | undefined {
  const cdrom = flags.cdrom;
  const sha256 = flags['cdrom-sha256'];
  if (cdrom === undefined) {
    if (sha256 !== undefined) throw new BerthError('USAGE', '--cdrom-sha256 needs --cdrom URL', { hint: 'pass --cdrom https://…/install.iso --cdrom-sha256 SHA256' });
    return undefined;
  }
  if (cdrom.trim() === '') throw invalid('cdrom', 'must name an ISO: a catalog name or an http(s) URL');
  const parsed = parseImage(cdrom, sha256, CDROM_FLAGS);
  if (parsed.kind === 'url' && parsed.sha256 === undefined) {
    throw new BerthError('USAGE', '--cdrom URL needs --cdrom-sha256', {
      hint: ['the ISO is cached and verified by its sha256: --cdrom-sha256 $(sha256sum INSTALL.iso | cut -d" " -f1)', 'or add it to the catalog: kubectl berth images add NAME --url URL --sha256 SHA256'],
    });
  }
  return parsed as CdromRequest;
}

/** What is wrong with a data disk's name, or undefined. Pure. */
export function dataDiskNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the disk name is empty';
  if (name.length > MAX_DATA_DISK_NAME_LENGTH) {
    return `disk name '${name}' is longer than ${MAX_DATA_DISK_NAME_LENGTH} characters (the guest sees it as the virtio disk's serial, which stops at ${MAX_DATA_DISK_NAME_LENGTH})`;
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return `disk name '${name}' must be lower-case letters, digits and '-', starting and ending with a letter or digit (a DNS label)`;
  if (RESERVED_VOLUME_NAMES.includes(name)) {
    return name === RESERVED_VOLUME_NAMES[0] ? `disk name '${name}' is the pet disk's` : `disk name '${name}' is a volume the VM pod uses itself`;
  }
  return undefined;
}

/** --disk NAME=SIZE[,class=STORAGECLASS], repeatable: names unique, sizes in the pet disk's limits. Pure. */
export function parseDataDisks(entries: readonly string[]): DataDiskSpec[] {
  const disks: DataDiskSpec[] = [];
  const example = 'e.g. --disk data=20Gi or --disk logs=5Gi,class=fast-ssd';
  for (const entry of entries) {
    const [head, ...options] = entry.trim().split(',');
    const eq = head.indexOf('=');
    if (eq <= 0) throw invalid('disk', `'${entry}' must be NAME=SIZE[,class=STORAGECLASS]`, example);
    const name = head.slice(0, eq).trim();
    const problem = dataDiskNameProblem(name);
    if (problem) throw invalid('disk', problem, example);
    if (disks.some((d) => d.name === name)) throw invalid('disk', `disk name '${name}' is given twice`, 'give each data disk its own name');
    const sizeBytes = parseSizeFlag('disk', head.slice(eq + 1), VM_LIMITS.minDiskBytes, VM_LIMITS.maxDiskBytes);
    const disk: DataDiskSpec = { name, sizeBytes };
    for (const option of options) {
      const m = /^class=(.*)$/.exec(option.trim());
      if (!m) throw invalid('disk', `'${option}' in '${entry}' is not an option; the only one is class=STORAGECLASS`, example);
      disk.storageClass = checkStorageClass('disk', m[1]);
    }
    disks.push(disk);
  }
  return disks;
}

function checkStorageClass(flag: string, storageClass: string): string {
  if (storageClass.length > 253 || !DNS_SUBDOMAIN.test(storageClass)) {
    throw invalid(flag, `'${storageClass}' is not a valid StorageClass name`, 'list them with: kubectl get storageclass');
  }
  return storageClass;
}

export function parseWholeNumber(flag: string, raw: string, min: number, max: number, what: string): number {
  const text = raw.trim();
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw invalid(flag, `'${raw}' must be a whole number from ${min} to ${max}${what}`);
  }
  return Number(text);
}

export function parseSizeFlag(flag: string, raw: string, minBytes: number, maxBytes: number): number {
  const parsed = parseSize(raw);
  if (!parsed.ok) throw invalid(flag, parsed.problem);
  if (parsed.bytes > maxBytes) throw invalid(flag, `'${raw}' is above the ${formatBinary(maxBytes)} maximum`);
  if (parsed.bytes < minBytes) {
    const suggestion = /^\d+$/.test(raw.trim()) ? ` (a bare number counts bytes; did you mean ${raw.trim()}Mi?)` : '';
    throw invalid(flag, `'${raw}' is below the ${formatBinary(minBytes)} minimum${suggestion}`);
  }
  return parsed.bytes;
}

export function parseUserDataFrom(raw: string): UserDataRef {
  const m = /^(configmap|cm|secret)\/(.*)$/i.exec(raw.trim());
  if (!m) throw invalid('user-data-from', `'${raw}' must be configmap/NAME or secret/NAME`);
  const name = m[2];
  if (name.length === 0 || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw invalid('user-data-from', `'${name}' is not a valid object name`);
  }
  return { kind: m[1].toLowerCase() === 'secret' ? 'secret' : 'configmap', name };
}

export function parseNodeSelector(entries: readonly string[]): Record<string, string> {
  const selector: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw invalid('node-selector', `'${entry}' must be key=value`);
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if ((prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) || name.length > 63 || !LABEL_NAME.test(name)) {
      throw invalid('node-selector', `'${key}' is not a valid label key`);
    }
    if (value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
      throw invalid('node-selector', `'${value}' is not a valid label value`);
    }
    selector[key] = value;
  }
  return selector;
}

/** What is wrong with a VNC password, or undefined. Pure. */
export function vncPasswordProblem(password: string): string | undefined {
  if (password.length === 0 || password.length > VM_LIMITS.maxVncPasswordLength || !/^[\x21-\x7e]+$/.test(password)) {
    return `must be 1 to ${VM_LIMITS.maxVncPasswordLength} printable characters without spaces (VNC authentication uses only 8)`;
  }
  return undefined;
}

/**
 * The VNC password as read from its source: the first line of a file or of stdin (a trailing
 * newline is how files end, not part of the password). Never echoes it. Pure.
 */
export function checkVncPassword(text: string, source: VncPasswordSource): string {
  const password = text.split(/\r?\n/)[0] ?? '';
  const problem = vncPasswordProblem(password);
  if (problem === undefined) return password;
  const flag = source.kind === 'prompt' ? 'vnc-password' : 'vnc-password-file';
  const where = source.kind === 'file' ? `the first line of '${source.path}' ` : source.kind === 'stdin' ? 'the first line of stdin ' : '';
  throw invalid(flag, `${where}${problem}`);
}

/** A flag left out reads as its default, so callers and tests name only what they set. */
export type VmFlagValues = Partial<VmFlags>;

/** The usage error for an image that is neither given nor to be asked for. */
export function missingImage(): BerthError {
  return new BerthError('USAGE', 'missing --image', { hint: 'pass --image NAME (from the image catalog) or --image https://…/disk.qcow2' });
}

/**
 * --blank-disk: the pet disk starts empty and the VM boots the --cdrom installer. Without --cdrom
 * it is refused: nothing could fill the disk. Network boot (PXE) would need a boot ROM on the
 * virtio NIC and a DHCP server that offers a boot file; the launcher's DHCP server hands out the
 * guest's address only, so a blank disk alone would boot nothing. Pure.
 */
function checkBlankDisk(flags: VmFlagValues, cdrom: CdromRequest | undefined): void {
  if (!flags['blank-disk']) return;
  if (flags.image !== undefined) throw conflict('blank-disk', 'image', 'a blank disk has no base image; drop --image, or drop --blank-disk to boot the image');
  if (flags['image-sha256'] !== undefined) throw conflict('blank-disk', 'image-sha256', 'a blank disk has no base image to verify');
  if (flags['reuse-disk']) throw conflict('blank-disk', 'reuse-disk', 'a reused disk is not blank; drop --blank-disk to boot it as it is');
  if (cdrom === undefined) {
    throw new BerthError('USAGE', '--blank-disk needs --cdrom: a blank disk boots nothing by itself', {
      hint: ['install onto it from an ISO: --blank-disk --cdrom debian-12-netinst (a catalog name) or --cdrom https://…/install.iso --cdrom-sha256 SHA256', 'network boot (PXE) is not offered: the pod\'s DHCP server gives the guest its address only, no boot file'],
    });
  }
}

/**
 * --image as given: undefined when it is absent (to be asked for; a --image-sha256 is checked
 * now all the same, and against the answer later); a usage error when blank. --blank-disk stands
 * for the image.
 */
export function parseImageFlag(flags: VmFlagValues): ImageRequest | undefined {
  if (flags['blank-disk'] && flags.image === undefined) return { kind: 'blank' };
  if (flags.image === undefined) {
    if (flags['image-sha256'] !== undefined) parseSha256(flags['image-sha256']);
    return undefined;
  }
  if (flags.image.trim() === '') throw missingImage();
  return parseImage(flags.image, flags['image-sha256']);
}

/** Checks every flag but the name and the image; the first problem throws a usage error (exit 2). Pure. */
export function parseVmOptions(flags: VmFlagValues): VmOptions {
  if (flags['user-data'] !== undefined && flags['user-data-from'] !== undefined) {
    throw conflict('user-data', 'user-data-from', 'give the cloud-config either as a file or as an existing ConfigMap/Secret');
  }
  if (flags.ephemeral && flags['storage-class'] !== undefined) {
    throw conflict('ephemeral', 'storage-class', 'an ephemeral disk lives in the pod (emptyDir); drop --storage-class, or drop --ephemeral for a persistent disk');
  }
  if (flags.ephemeral && flags['reuse-disk']) {
    throw conflict('ephemeral', 'reuse-disk', 'an ephemeral disk is always new; drop one of them');
  }
  const cdrom = parseCdrom(flags);
  checkBlankDisk(flags, cdrom);
  const noVnc = flags.vnc === false;
  const passwordFile = flags['vnc-password-file'];
  if (passwordFile !== undefined && passwordFile.trim() === '') throw invalid('vnc-password-file', 'must name a file, or - for stdin');
  const wantsPassword = Boolean(flags['vnc-password']) || passwordFile !== undefined;
  if (wantsPassword && noVnc) {
    throw conflict(flags['vnc-password'] ? 'vnc-password' : 'vnc-password-file', 'no-vnc', 'drop --no-vnc to get a password-protected VNC display');
  }
  const cpus = parseWholeNumber('cpus', flags.cpus ?? String(VM_DEFAULTS.cpus), 1, VM_LIMITS.maxCpus, ' (virtual CPUs)');
  const memoryBytes = parseSizeFlag('memory', flags.memory ?? VM_DEFAULTS.memory, VM_LIMITS.minMemoryBytes, VM_LIMITS.maxMemoryBytes);
  const sizeBytes = parseSizeFlag('disk-size', flags['disk-size'] ?? VM_DEFAULTS.diskSize, VM_LIMITS.minDiskBytes, VM_LIMITS.maxDiskBytes);
  const storageClass = flags['storage-class'] === undefined ? undefined : checkStorageClass('storage-class', flags['storage-class']);
  const disk: DiskSpec = flags.ephemeral
    ? { kind: 'ephemeral', sizeBytes }
    : { kind: 'pvc', sizeBytes, storageClass, reuse: Boolean(flags['reuse-disk']), sizeGiven: flags['disk-size'] !== undefined };
  const sshKeys = (flags['ssh-key'] ?? []).map((v): SshKeySource => {
    const value = v.trim();
    if (value === '') throw invalid('ssh-key', 'must not be empty');
    return SSH_KEY_TEXT.test(value) ? { kind: 'text', text: value } : { kind: 'file', path: value };
  });
  const accel = (flags.accel ?? VM_DEFAULTS.accel).trim().toLowerCase();
  if (accel !== 'kvm' && accel !== 'tcg') throw invalid('accel', `'${flags.accel}' is not supported; use kvm or tcg`);
  const vnc = noVnc ? { mode: 'off' as const } : wantsPassword ? { mode: 'password' as const } : { mode: 'loopback' as const };
  const vncPasswordFrom: VncPasswordSource | undefined = !wantsPassword
    ? undefined
    : passwordFile === undefined
      ? { kind: 'prompt' }
      : passwordFile.trim() === '-'
        ? { kind: 'stdin' }
        : { kind: 'file', path: passwordFile };
  const readyPort = parseWholeNumber('ready-port', flags['ready-port'] ?? String(VM_DEFAULTS.readyPort), 0, 65535, ' (0 turns the readiness check off)');
  // The pod's 5900 is the launcher's display, never the guest's: a probe there would say Ready
  // while the guest is still booting.
  if (readyPort === Ports.vnc) throw invalid('ready-port', `${readyPort} is the VM's VNC display in the pod, not a guest port`, 'name a port the guest serves, such as 22, or 0 for no readiness check');
  const ports: number[] = [];
  for (const raw of flags.port ?? []) {
    const port = parseWholeNumber('port', raw, 1, 65535, ' (a guest TCP port)');
    if (port === Ports.vnc) throw invalid('port', `${port} belongs to the VM's VNC display in the pod`, 'reach VNC with: kubectl berth vnc NAME');
    if (port !== Ports.ssh && !ports.includes(port)) ports.push(port);
  }
  const shutdown = parseDuration(flags['shutdown-timeout'] ?? VM_DEFAULTS.shutdownTimeout);
  if (!shutdown.ok) throw invalid('shutdown-timeout', shutdown.problem);
  const shutdownSeconds = Math.ceil(shutdown.ms / 1000);
  // 0 would turn every stop into pulling the plug on a running guest, with its disk mid-write.
  if (shutdownSeconds < 1) throw invalid('shutdown-timeout', `'${flags['shutdown-timeout']}' gives the guest no time to power down`, 'give it at least 1s; most guests need 30s or more');
  if (shutdownSeconds > VM_LIMITS.maxShutdownSeconds) {
    throw invalid('shutdown-timeout', `'${flags['shutdown-timeout']}' is longer than the ${VM_LIMITS.maxShutdownSeconds / 60}-minute maximum`);
  }
  return {
    ...parseBootFlags(flags),
    cpus,
    memoryBytes,
    disk,
    dataDisks: parseDataDisks(flags.disk ?? []),
    ...(cdrom ? { cdrom } : {}),
    sshKeys: sshKeys.length > 0 ? sshKeys : 'default',
    userDataFile: flags['user-data'],
    userDataFrom: flags['user-data-from'] !== undefined ? parseUserDataFrom(flags['user-data-from']) : undefined,
    vnc,
    vncPasswordFrom,
    accel,
    nodeSelector: parseNodeSelector(flags['node-selector'] ?? []),
    readyPort,
    ports,
    shutdownSeconds,
  };
}

/** --firmware, --secure-boot and --on-guest-shutdown. Pure. */
export function parseBootFlags(flags: Pick<VmFlagValues, 'firmware' | 'secure-boot' | 'on-guest-shutdown'>): Pick<VmOptions, 'firmware' | 'onGuestShutdown'> {
  const firmware = (flags.firmware ?? VM_DEFAULTS.firmware).trim().toLowerCase();
  if (firmware !== 'bios' && firmware !== 'uefi') throw invalid('firmware', `'${flags.firmware}' is not supported; use bios or uefi`);
  if (flags['secure-boot'] && firmware !== 'uefi') {
    throw invalid('secure-boot', 'Secure Boot is a UEFI feature; SeaBIOS has none', 'add --firmware uefi');
  }
  const onGuestShutdown = (flags['on-guest-shutdown'] ?? VM_DEFAULTS.onGuestShutdown).trim().toLowerCase();
  if (onGuestShutdown !== 'restart' && onGuestShutdown !== 'stop') {
    throw invalid('on-guest-shutdown', `'${flags['on-guest-shutdown']}' is not supported; use restart or stop`);
  }
  return { firmware: firmware === 'uefi' && flags['secure-boot'] ? 'uefi-secure-boot' : firmware, onGuestShutdown };
}

/** The whole request from flags that leave nothing to ask: checks the name, then the image, then the rest. Pure. */
export function parseVmFlags(rawName: string, flags: VmFlagValues): VmRequest {
  const name = checkVmName(rawName);
  if (flags.image === undefined && !flags['blank-disk']) throw missingImage();
  const options = parseVmOptions(flags);
  return { name, image: parseImageFlag(flags)!, ...options };
}
