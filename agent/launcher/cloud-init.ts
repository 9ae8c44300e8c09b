// The NoCloud seed: the files of the `cidata` volume built from the VM's cloud-init Secret, and the
// argv that packs them into an ISO.
import { createHash } from 'node:crypto';
import { Files } from '../../shared/contract.js';

export interface SeedSources {
  metaData?: string;
  /** As the Secret holds it, byte for byte: user-data may be gzip or any other binary form. */
  userData?: Buffer;
  networkConfig?: Buffer;
}

export interface SeedFile {
  name: string;
  content: Buffer;
}

export interface SeedIdentity {
  /**
   * cloud-init runs its per-instance steps (users, SSH keys, host keys, hostname, runcmd) once per
   * instance-id. It follows the seed's content, so an edited user-data, meta-data or network-config
   * (a new key, a new user) is applied at the next boot, also on a reused disk; an unchanged seed
   * keeps it, so restarts do not run those steps again.
   */
  instanceId: string;
  hostname: string;
}

/** NoCloud requires this volume label. */
export const SEED_LABEL = 'cidata';

const INSTANCE_ID_LINE = /^instance-id\s*:.*(\r?\n|$)/m;

/** The VM's identity for this seed: instance-id from the VM and a hash of what the seed says. Pure. */
export function seedIdentity(namespace: string, name: string, sources: SeedSources): SeedIdentity {
  const hash = createHash('sha256');
  // Length-prefixed, so no two different seeds hash alike by moving bytes between the parts.
  for (const part of [`${namespace}/${name}`, sources.metaData?.replace(INSTANCE_ID_LINE, '') ?? '', sources.userData ?? '', sources.networkConfig ?? '']) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return { instanceId: `berth-${hash.digest('hex').slice(0, 16)}`, hostname: name };
}

/**
 * meta-data as given, with instance-id and local-hostname added when it lacks them (an instance-id
 * the Secret sets is a pin the user chose); user-data as given, byte for byte (an empty
 * #cloud-config when there is none); network-config only when given.
 */
export function seedFiles(sources: SeedSources, identity: SeedIdentity): SeedFile[] {
  const files: SeedFile[] = [
    { name: Files.metaData, content: Buffer.from(completeMetaData(sources.metaData ?? '', identity), 'utf8') },
    { name: Files.userData, content: sources.userData ?? Buffer.from('#cloud-config\n', 'utf8') },
  ];
  if (sources.networkConfig !== undefined) files.push({ name: Files.networkConfig, content: sources.networkConfig });
  return files;
}

function completeMetaData(given: string, identity: SeedIdentity): string {
  const has = (key: string) => new RegExp(`^${key}\\s*:`, 'm').test(given);
  const lines: string[] = [];
  if (!has('instance-id')) lines.push(`instance-id: ${identity.instanceId}`);
  if (!has('local-hostname')) lines.push(`local-hostname: ${identity.hostname}`);
  const base = given === '' || given.endsWith('\n') ? given : `${given}\n`;
  return base + lines.map((l) => `${l}\n`).join('');
}

export type IsoTool = 'genisoimage' | 'xorriso';

/** argv (binary first) writing `output` from the seed files found in `dir`. */
export function seedIsoCommand(tool: IsoTool, output: string, dir: string, names: string[]): string[] {
  const common = ['-output', output, '-volid', SEED_LABEL, '-joliet', '-rock', '-quiet', ...names.map((n) => `${dir}/${n}`)];
  return tool === 'genisoimage' ? ['genisoimage', ...common] : ['xorriso', '-as', 'genisoimage', ...common];
}
