// Reads manifests/ from the installed package, the same files `kubectl apply -k manifests/` uses.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import { packageRoot } from '../package-root.js';
import { parseKustomization, parseManifests, type Kustomization, type ManifestObject } from './manifest-set.js';

/** manifests/ of this package. */
export function packageManifestsDir(): string {
  return join(packageRoot(import.meta.url), 'manifests');
}

export interface ManifestBundle {
  dir: string;
  kustomization: Kustomization;
  objects: ManifestObject[];
}

export async function loadManifests(dir = packageManifestsDir()): Promise<ManifestBundle> {
  const read = async (name: string) => {
    try {
      return await readFile(join(dir, name), 'utf8');
    } catch (error) {
      throw new BerthError('INTERNAL', `cannot read ${join(dir, name)}: ${(error as Error).message}`, {
        hint: 'the manifests shipped with kubectl-berth are missing; reinstall the plugin',
      });
    }
  };
  const kustomization = parseKustomization(await read('kustomization.yaml'));
  const files = await Promise.all(kustomization.resources.map(async (name) => ({ name, text: await read(name) })));
  return { dir, kustomization, objects: parseManifests(files) };
}
