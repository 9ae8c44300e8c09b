// stdout of install/uninstall with -o or --dry-run: the objects themselves, or their kubectl names.
import { asList, toJson, toYaml } from '../output/format.js';
import { objectRef, type ManifestObject } from './manifest-set.js';

/** yaml/json print a List (as kubectl does for several objects); otherwise one name a line. */
export function printManifests(objects: ManifestObject[], output: string | undefined, suffix = ''): string {
  if (output === 'yaml') return toYaml(asList(objects));
  if (output === 'json') return toJson(asList(objects));
  return objects.map((o) => `${objectRef(o)}${output === 'name' ? '' : suffix}\n`).join('');
}
