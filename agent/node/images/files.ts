// Names inside the image cache directory. A finished image is <sha256>.qcow2 (what the launcher
// mounts); a download in progress is a hidden .<sha256>.partial next to it, kept across restarts
// so the download can resume, and renamed only once its checksum matches.
import { cachedImageFileName } from '../../../shared/contract.js';

const FINAL = /^([0-9a-f]{64})\.qcow2$/;
const PARTIAL = /^\.([0-9a-f]{64})\.partial$/;

export function partialFileName(sha256: string): string {
  return `.${sha256.toLowerCase()}.partial`;
}

export { cachedImageFileName };

export interface CacheListing {
  /** sha256 of every finished image file. */
  finals: Set<string>;
  /** sha256 of every partial download. */
  partials: Set<string>;
  /** Anything else; left alone. */
  others: string[];
}

export function classifyCacheFiles(names: string[]): CacheListing {
  const listing: CacheListing = { finals: new Set(), partials: new Set(), others: [] };
  for (const name of names) {
    const final = FINAL.exec(name);
    const partial = PARTIAL.exec(name);
    if (final) listing.finals.add(final[1]);
    else if (partial) listing.partials.add(partial[1]);
    else listing.others.push(name);
  }
  return listing;
}

/** Which files to delete: images and partials no catalog entry wants and no VM on this node uses. */
export function filesToRemove(listing: CacheListing, wanted: Set<string>, inUse: Set<string>): string[] {
  const out: string[] = [];
  for (const sha of listing.finals) if (!wanted.has(sha) && !inUse.has(sha)) out.push(cachedImageFileName(sha));
  for (const sha of listing.partials) if (!wanted.has(sha)) out.push(partialFileName(sha));
  return out.sort();
}
