// Airship Berth's Helm values (`vmlist`) as berth VMs: each enabled entry becomes the flags
// `create` takes, so the one flag parser checks it, and every key berth cannot carry over is named.
// Pure: ops/import-vms.ts reads the files and creates the VMs.
//
// The schema is the one Berth's templates and validate.py use (openstack/airship-berth): per VM
// `enabled`, `vmconfig.cpu.{vcpu,ram_mb}`, `vmconfig.rootfs.{sourceurl,localtarget,pvc_size,pvc_class}`,
// `netconfig.{ports,readinessTcpProbe}`, `cloudconfig.{metadata,userdata}`; at the top `vmlist`,
// `images.vmrunner` and `labels.node_selector_{key,value}`.
import { parse as parseYaml } from 'yaml';
import { BerthError } from '../../shared/errors.js';
import { Ports } from '../../shared/contract.js';
import { formatBinary, parseSize } from '../../shared/quantity.js';
import { VM_LIMITS } from './defaults.js';
import { checkVmName } from './names.js';
import { parseVmFlags, type VmFlagValues, type VmRequest } from './vm-flags.js';
import type { KeyText } from './vm-spec.js';

/** One values file as read: where it came from (for messages) and its parsed YAML. */
export interface BerthValuesFile {
  source: string;
  values: unknown;
}

/** The flags of `create` an import sets; the rest (keys, accel, placement) come from import's own flags. */
export type ImportedFlags = Pick<VmFlagValues, 'image' | 'cpus' | 'memory' | 'disk-size' | 'storage-class' | 'port' | 'ready-port' | 'node-selector'>;

export interface ImportedVm {
  name: string;
  flags: ImportedFlags;
  /** cloudconfig.userdata, given to the guest as --user-data would be. */
  userData?: KeyText;
  /** What berth does differently from Berth for this VM, or leaves out: one line each. */
  notes: string[];
}

export interface ImportPlan {
  vms: ImportedVm[];
  /** Entries with `enabled: false`, which Berth's templates skip too. */
  disabled: string[];
  /** Top-level keys left out, one line each. */
  notes: string[];
}

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Helm's merge of several --values files: mappings merge key by key, anything else is replaced. */
export function mergeValues(base: unknown, overlay: unknown): unknown {
  if (!isMapping(base) || !isMapping(overlay)) return overlay === undefined ? base : overlay;
  const merged: Mapping = { ...base };
  for (const [key, value] of Object.entries(overlay)) merged[key] = mergeValues(base[key], value);
  return merged;
}

/** The keys Berth knows at each level of a vmlist entry; anything else is reported and ignored. */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['enabled', 'vmconfig', 'netconfig', 'cloudconfig'],
  vmconfig: ['cpu', 'rootfs'],
  'vmconfig.cpu': ['vcpu', 'ram_mb'],
  'vmconfig.rootfs': ['sourceurl', 'localtarget', 'pvc_size', 'pvc_class'],
  netconfig: ['ports', 'readinessTcpProbe'],
  cloudconfig: ['metadata', 'userdata'],
};

/** The Berth key each `create` flag comes from, to phrase the parser's messages in the user's words. */
const KEY_OF_FLAG: Record<string, string> = {
  image: 'vmconfig.rootfs.sourceurl',
  cpus: 'vmconfig.cpu.vcpu',
  memory: 'vmconfig.cpu.ram_mb',
  'disk-size': 'vmconfig.rootfs.pvc_size',
  'storage-class': 'vmconfig.rootfs.pvc_class',
  port: 'netconfig.ports',
  'ready-port': 'netconfig.readinessTcpProbe',
  'node-selector': 'labels.node_selector_key/value',
};

/** Reads one VM entry; problems go to `problems`, each prefixed with the entry's path. */
class EntryReader {
  readonly problems: string[] = [];
  readonly notes: string[] = [];

  constructor(readonly path: string, readonly entry: Mapping) {}

  at(dotted: string): unknown {
    let value: unknown = this.entry;
    for (const part of dotted.split('.')) value = isMapping(value) ? value[part] : undefined;
    return value;
  }

  problem(key: string, message: string): void {
    this.problems.push(`${this.path}.${key}: ${message}`);
  }

  /** The keys under `prefix` that Berth does not know, and sections that are not mappings. */
  checkShape(): void {
    for (const [prefix, known] of Object.entries(KNOWN_KEYS)) {
      const section = prefix === '' ? this.entry : this.at(prefix);
      if (section === undefined) continue;
      if (!isMapping(section)) {
        this.problem(prefix, `must be a mapping, not ${describe(section)}`);
        continue;
      }
      for (const key of Object.keys(section)) {
        if (!known.includes(key)) this.notes.push(`${prefix ? `${prefix}.` : ''}${key} is not a Berth key; ignored`);
      }
    }
  }

  int(key: string, required: boolean): number | undefined {
    const value = this.at(key);
    if (value === undefined) {
      if (required) this.problem(key, 'is required (a whole number)');
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.problem(key, `must be a whole number, not ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  str(key: string, required: boolean): string | undefined {
    const value = this.at(key);
    if (value === undefined) {
      if (required) this.problem(key, 'is required (a string)');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.problem(key, `must be a string, not ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  /** A string that must parse as YAML, as Berth's validate.py demands of metadata and userdata. */
  yaml(key: string): { text: string; parsed: unknown } | undefined {
    const text = this.str(key, true);
    if (text === undefined) return undefined;
    try {
      return { text, parsed: parseYaml(text) };
    } catch (error) {
      this.problem(key, `does not parse as YAML: ${(error as Error).message.split('\n')[0]}`);
      return undefined;
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isMapping(value)) return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The guest ports of netconfig.ports that need a --port: berth reaches 22 and the display anyway. */
function readPorts(reader: EntryReader): string[] | undefined {
  const ports = reader.at('netconfig.ports');
  if (ports === undefined) return [];
  if (!isMapping(ports)) {
    reader.problem('netconfig.ports', `must be a mapping of names to ports, not ${describe(ports)}`);
    return undefined;
  }
  const flags: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      reader.problem(`netconfig.ports.${name}`, `must be a port number from 1 to 65535, not ${describe(port)}`);
      continue;
    }
    // The display is the launcher's, reached with `kubectl berth vnc`, never a guest port.
    if (port === Ports.vnc) reader.notes.push(`netconfig.ports.${name} (${port}) is the VM's display: reach it with kubectl berth vnc`);
    else if (port !== Ports.ssh) flags.push(String(port));
  }
  return flags;
}

/** pvc_size as --disk-size: a claim smaller than berth's smallest disk grows to it, with a note. */
function readDiskSize(reader: EntryReader): string | undefined {
  const raw = reader.str('vmconfig.rootfs.pvc_size', true);
  if (raw === undefined) return undefined;
  const parsed = parseSize(raw);
  if (!parsed.ok) {
    reader.problem('vmconfig.rootfs.pvc_size', parsed.problem);
    return undefined;
  }
  if (parsed.bytes < VM_LIMITS.minDiskBytes) {
    const min = formatBinary(VM_LIMITS.minDiskBytes);
    reader.notes.push(`vmconfig.rootfs.pvc_size ${raw} is below berth's smallest disk; the disk is ${min}`);
    return min;
  }
  return raw;
}

/** One enabled entry as create's flags, or undefined when it has problems (collected in `problems`). */
function importEntry(name: string, entry: Mapping, source: string, nodeSelector: string[], problems: string[]): ImportedVm | undefined {
  const reader = new EntryReader(`vmlist.${name}`, entry);
  reader.checkShape();
  const vcpu = reader.int('vmconfig.cpu.vcpu', true);
  const ramMb = reader.int('vmconfig.cpu.ram_mb', true);
  const sourceUrl = reader.str('vmconfig.rootfs.sourceurl', true);
  // Berth fetched it with curl; a catalog name here would mean something Berth never did.
  if (sourceUrl !== undefined && !/^https?:\/\//i.test(sourceUrl.trim())) reader.problem('vmconfig.rootfs.sourceurl', `'${sourceUrl}' is not an http(s) URL`);
  // Berth named the base image's file in its volume; berth caches bases by sha256 instead.
  if (reader.str('vmconfig.rootfs.localtarget', false) !== undefined) {
    reader.notes.push('vmconfig.rootfs.localtarget is not needed: berth keeps the base image by its sha256');
  }
  const diskSize = readDiskSize(reader);
  const storageClass = reader.str('vmconfig.rootfs.pvc_class', false);
  const ports = readPorts(reader);
  // Without readinessTcpProbe Berth's pod had no readiness probe: the VM is Ready once it runs.
  const readyPort = reader.int('netconfig.readinessTcpProbe', false);
  const metadata = reader.yaml('cloudconfig.metadata');
  const userData = reader.yaml('cloudconfig.userdata');
  if (metadata && isMapping(metadata.parsed)) {
    const dropped = Object.keys(metadata.parsed);
    if (dropped.length > 0) {
      reader.notes.push(`cloudconfig.metadata is not carried over (${dropped.join(', ')}): berth writes the guest's meta-data itself, with the VM's name as its hostname`);
    }
  }
  if (vcpu !== undefined && vcpu < 1) reader.problem('vmconfig.cpu.vcpu', `must be at least 1, not ${vcpu}`);
  if (ramMb !== undefined && ramMb < 1) reader.problem('vmconfig.cpu.ram_mb', `must be at least 1, not ${ramMb}`);
  if (reader.problems.length > 0) {
    problems.push(...reader.problems);
    return undefined;
  }
  const flags: ImportedFlags = {
    image: sourceUrl,
    cpus: String(vcpu),
    memory: `${ramMb}Mi`,
    'disk-size': diskSize,
    'storage-class': storageClass,
    port: ports,
    'ready-port': String(readyPort ?? 0),
    'node-selector': nodeSelector,
  };
  return {
    name,
    flags,
    userData: userData ? { source: `${source}: vmlist.${name}.cloudconfig.userdata`, text: userData.text } : undefined,
    notes: reader.notes,
  };
}

/** labels.node_selector_key/value: Berth's one node selector, for every VM. */
function readNodeSelector(values: Mapping, problems: string[]): string[] {
  const labels = values.labels;
  if (labels === undefined) return [];
  if (!isMapping(labels)) {
    problems.push(`labels: must be a mapping, not ${describe(labels)}`);
    return [];
  }
  const { node_selector_key: key, node_selector_value: value } = labels;
  if (key === undefined && value === undefined) return [];
  if (typeof key !== 'string' || (typeof value !== 'string' && typeof value !== 'boolean')) {
    problems.push('labels: node_selector_key and node_selector_value must both be set, as strings');
    return [];
  }
  return [`${key}=${String(value)}`];
}

function topLevelNotes(values: Mapping): string[] {
  const notes: string[] = [];
  if (isMapping(values.images) && values.images.vmrunner !== undefined) {
    notes.push('images.vmrunner is not used: berth runs its own launcher image, the one its node agent runs');
  }
  for (const key of Object.keys(values)) {
    if (!['vmlist', 'images', 'labels'].includes(key)) notes.push(`${key} is not a Berth key; ignored`);
  }
  return notes;
}

/** Rewrites `--flag: problem` from the flag parser as `vmlist.NAME.<berth key>: problem`. */
function inBerthTerms(name: string, error: BerthError): string {
  const m = /^--([a-z0-9-]+): (.*)$/s.exec(error.message);
  if (m && KEY_OF_FLAG[m[1]]) {
    const key = KEY_OF_FLAG[m[1]];
    return key.startsWith('labels.') ? `${key}: ${m[2]}` : `vmlist.${name}.${key}: ${m[2]}`;
  }
  return `vmlist.${name}: ${error.message}`;
}

/**
 * The VMs of one or more values files, merged in order as `helm --values` merges them. Every
 * problem in every entry is found before any is reported: one bad entry stops the whole import.
 */
export function planBerthImport(files: readonly BerthValuesFile[]): ImportPlan {
  if (files.length === 0) throw new BerthError('USAGE', 'no values file given', { hint: 'kubectl berth import values.yaml [more-values.yaml…]' });
  const values = files.reduce<unknown>((merged, file) => mergeValues(merged, file.values), {});
  const source = files.map((f) => f.source).join(' + ');
  if (!isMapping(values) || values.vmlist === undefined || values.vmlist === null) {
    throw new BerthError('INVALID_VALUE', `${source}: no vmlist`, { hint: 'an Airship Berth values file lists its VMs under vmlist: {NAME: {enabled: true, vmconfig: …}}' });
  }
  if (!isMapping(values.vmlist)) {
    throw new BerthError('INVALID_VALUE', `${source}: vmlist must be a mapping of VM names to VMs, not ${describe(values.vmlist)}`, {
      hint: 'write each VM as NAME: {enabled: true, vmconfig: …}, not as a list item',
    });
  }
  const problems: string[] = [];
  const nodeSelector = readNodeSelector(values, problems);
  const vms: ImportedVm[] = [];
  const disabled: string[] = [];
  for (const [name, entry] of Object.entries(values.vmlist)) {
    if (!isMapping(entry)) {
      problems.push(`vmlist.${name}: must be a mapping, not ${describe(entry)}`);
      continue;
    }
    if (entry.enabled === false) {
      disabled.push(name);
      continue;
    }
    if (entry.enabled !== true) {
      problems.push(`vmlist.${name}.enabled: must be true or false, not ${describe(entry.enabled)}`);
      continue;
    }
    try {
      checkVmName(name);
    } catch (error) {
      if (!(error instanceof BerthError)) throw error;
      problems.push(`vmlist.${name}: ${error.message}`);
      continue;
    }
    const vm = importEntry(name, entry, source, nodeSelector, problems);
    if (vm) vms.push(vm);
  }
  if (problems.length > 0) throw importProblems(source, problems);
  if (vms.length === 0) {
    throw new BerthError('INVALID_VALUE', `${source}: no enabled VM to import${disabled.length > 0 ? ` (disabled: ${disabled.join(', ')})` : ''}`, {
      hint: 'set enabled: true on the VMs to import',
    });
  }
  return { vms, disabled, notes: topLevelNotes(values) };
}

/** Each imported VM as create's request, checked by create's own parser; all problems at once. */
export function importRequests(plan: ImportPlan, source: string, shared: VmFlagValues): VmRequest[] {
  const problems: string[] = [];
  const requests: VmRequest[] = [];
  for (const vm of plan.vms) {
    try {
      requests.push(parseVmFlags(vm.name, { ...shared, ...vm.flags }));
    } catch (error) {
      if (!(error instanceof BerthError)) throw error;
      problems.push(inBerthTerms(vm.name, error));
    }
  }
  if (problems.length > 0) throw importProblems(source, problems);
  return requests;
}

function importProblems(source: string, problems: string[]): BerthError {
  const list = problems.map((p) => `  ${p}`).join('\n');
  return new BerthError('INVALID_VALUE', `${source}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was imported:\n${list}`, {
    hint: 'fix the values file(s) and run the import again; --dry-run -o yaml shows what would be created',
  });
}
