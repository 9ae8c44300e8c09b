// Builds the NoCloud seed ISO from the mounted cloud-init Secret.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import { Files } from '../../shared/contract.js';
import { seedFiles, seedIdentity, seedIsoCommand, type IsoTool, type SeedSources } from './cloud-init.js';
import { isBerthError } from '../../shared/errors.js';
import type { LauncherConfig } from './config.js';
import { mustRun, type Run } from '../common/exec.js';
import type { Log } from './log.js';

async function readSecretFile(dir: string, name: string): Promise<Buffer | undefined> {
  const path = join(dir, name);
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new BerthError('LAUNCHER', `cannot read the cloud-init ${name} at ${path}: ${code ?? (error as Error).message}`, {
      hint: "The VM's cloud-init Secret is mounted there; check the Secret's keys and the volume's permissions.",
    });
  }
}

export async function readSeedSources(dir: string): Promise<SeedSources> {
  return {
    metaData: (await readSecretFile(dir, Files.metaData))?.toString('utf8'),
    userData: await readSecretFile(dir, Files.userData),
    networkConfig: await readSecretFile(dir, Files.networkConfig),
  };
}

/** Writes the seed files under the run directory and packs them; returns the ISO's path. */
export async function buildSeedIso(config: LauncherConfig, run: Run, log: Log): Promise<string> {
  const sources = await readSeedSources(config.paths.cloudInit);
  if (sources.userData === undefined) log('cloud-init', `no ${Files.userData} in ${config.paths.cloudInit}: the guest gets an empty #cloud-config`);
  const identity = seedIdentity(config.namespace, config.vmName, sources);
  const files = seedFiles(sources, identity);
  const dir = join(config.paths.run, 'seed');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const file of files) await writeFile(join(dir, file.name), file.content, { mode: 0o600 });
  const iso = join(config.paths.run, 'seed.iso');
  const tools: IsoTool[] = ['genisoimage', 'xorriso'];
  for (const [i, tool] of tools.entries()) {
    const [binary, ...args] = seedIsoCommand(tool, iso, dir, files.map((f) => f.name));
    try {
      await mustRun(run, binary, args, 'building the cloud-init seed ISO');
      break;
    } catch (error) {
      if (!(isBerthError(error) && error.code === 'TOOL_MISSING' && i < tools.length - 1)) throw error;
    }
  }
  log('cloud-init', `seed ISO ${iso} with ${files.map((f) => f.name).join(', ')}, instance-id ${identity.instanceId}`);
  return iso;
}
