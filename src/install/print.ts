// stdout of install/uninstall: with -o the objects themselves (a List, as kubectl prints several
// objects) or their kubectl names; without -o, a dry run lists the names and a real run prints
// nothing (its progress goes to stderr).
import type { Printable } from '../output/print.js';
import { objectRef, type ManifestObject } from './manifest-set.js';

export function manifestsPrintable(objects: ManifestObject[], dryRun: boolean): Printable {
  const refs = objects.map(objectRef);
  return {
    text: () => (dryRun ? refs.map((r) => `${r} (dry run)\n`).join('') : ''),
    names: () => refs,
    data: () => ({ list: objects }),
  };
}
