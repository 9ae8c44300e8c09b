// The NoCloud seed: the files of the `cidata` volume built from the VM's cloud-init Secret, and the
// argv that packs them into an ISO.
import { Files } from '../../shared/contract.js';

export interface SeedSources {
  metaData?: string;
  userData?: string;
  networkConfig?: string;
}

export interface SeedFile {
  name: string;
  content: string;
}

export interface SeedIdentity {
  /** Stable for the VM's lifetime: cloud-init re-runs its per-instance steps when it changes. */
  instanceId: string;
  hostname: string;
}

/** NoCloud requires this volume label. */
export const SEED_LABEL = 'cidata';

export function seedIdentity(namespace: string, name: string): SeedIdentity {
  return { instanceId: `berth-${namespace}-${name}`, hostname: name };
}

/**
 * meta-data as given, with instance-id and local-hostname added when it lacks them; user-data as
 * given (an empty #cloud-config when there is none); network-config only when given.
 */
export function seedFiles(sources: SeedSources, identity: SeedIdentity): SeedFile[] {
  const files: SeedFile[] = [
    { name: Files.metaData, content: completeMetaData(sources.metaData ?? '', identity) },
    { name: Files.userData, content: sources.userData ?? '#cloud-config\n' },
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
