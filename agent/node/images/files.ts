// Names inside the image cache directory. A finished image is <sha256>.qcow2 (what the launcher
// mounts); a download in progress is a hidden .<sha256>.partial next to it, kept across restarts
// so the download can resume, and renamed only once its checksum matches; beside the partial,
// .<sha256>.partial.validator names the version of the file its bytes came from (download.ts).
import { cachedImageFileName } from '../../../shared/contract.js';

const FINAL = /^([0-9a-f]{64})\.qcow2$/;
const PARTIAL = /^\.([0-9a-f]{64})\.partial$/;
const VALIDATOR = /^\.([0-9a-f]{64})\.partial\.validator$/;

export function partialFileName(sha256: string): string {
  return `.${sha256.toLowerCase()}.partial`;
}

/** What download.ts keeps beside a partial file. */
export function validatorFileName(sha256: string): string {
  return `${partialFileName(sha256)}.validator`;
}

export { cachedImageFileName };

export interface CacheListing {
  /** sha256 of every finished image file. */
  finals: Set<string>;
  /** sha256 of every partial download. */
  partials: Set<string>;
  /** sha256 of every partial download's validator file. */
  validators: Set<string>;
  /** Anything else; left alone. */
  others: string[];
}

export function classifyCacheFiles(names: string[]): CacheListing {
  const listing: CacheListing = { finals: new Set(), partials: new Set(), validators: new Set(), others: [] };
  for (const name of names) {
    const final = FINAL.exec(name);
    const partial = PARTIAL.exec(name);
    const validator = VALIDATOR.exec(name);
    if (final) listing.finals.add(final[1]);
    else if (partial) listing.partials.add(partial[1]);
    else if (validator) listing.validators.add(validator[1]);
    else listing.others.push(name);
  }
  return listing;
}

/** Which files to delete: images and partials no catalog entry wants and no VM on this node uses. */
export function filesToRemove(listing: CacheListing, wanted: Set<string>, inUse: Set<string>): string[] {
  const out: string[] = [];
  for (const sha of listing.finals) if (!wanted.has(sha) && !inUse.has(sha)) out.push(cachedImageFileName(sha));
  for (const sha of listing.partials) if (!wanted.has(sha)) out.push(partialFileName(sha));
  for (const sha of listing.validators) if (!wanted.has(sha)) out.push(validatorFileName(sha));
  return out.sort();
}
