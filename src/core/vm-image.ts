// Resolving --image: a URL stands for itself; a name is looked up in the image catalog (a
// ConfigMap whose keys are image names and whose values are JSON {url, sha256, size?}).
import { BerthError } from '../../shared/errors.js';
import { parseCatalog } from '../../shared/catalog.js';
import { catalogWhere } from '../images/catalog-edit.js';
import type { ImageRequest } from './vm-flags.js';

export interface ResolvedImage {
  /** --image as the user gave it. */
  source: string;
  /** Unset for a blank disk (--blank-disk), which has no image. */
  url?: string;
  sha256?: string;
  /** Set for catalog images: the node label image.berth.dev/<name> marks nodes that cache it. */
  catalogName?: string;
  /** The base image's file size, when the catalog gives it. */
  sizeBytes?: number;
}

/** What a blank disk's VM shows as its image (annotation, ls). */
export const BLANK_IMAGE = '<blank>';

/**
 * The image to boot (or, for --cdrom, the ISO). `catalog` is the catalog ConfigMap's data, or undefined when the ConfigMap
 * does not exist; it is only consulted for a name. Pure.
 */
export function resolveImage(request: ImageRequest, catalog: Record<string, string> | undefined): ResolvedImage {
  if (request.kind === 'blank') return { source: BLANK_IMAGE };
  if (request.kind === 'url') return { source: request.url, url: request.url, sha256: request.sha256 };
  const where = catalogWhere();
  if (catalog === undefined) {
    throw new BerthError('NOT_FOUND', `image '${request.name}' cannot be looked up: the image catalog (${where}) does not exist`, {
      hint: ['pass the image as a URL: --image https://…/disk.qcow2 --image-sha256 …', 'or ask a cluster admin to set berth up: kubectl berth install'],
    });
  }
  if (!(request.name in catalog)) {
    const names = Object.keys(catalog).sort();
    throw new BerthError('NOT_FOUND', `image '${request.name}' is not in the image catalog (${where})`, {
      hint: names.length > 0
        ? [`use one of: ${names.join(', ')}`, `or add it: kubectl berth images add ${request.name} --url URL --sha256 SHA256`]
        : [`the catalog is empty; add the image: kubectl berth images add ${request.name} --url URL --sha256 SHA256`, 'or pass it as a URL: --image https://…/disk.qcow2'],
    });
  }
  // The same parser as `images add` and the node agent, so all three reject an entry alike.
  const parsed = parseCatalog({ [request.name]: catalog[request.name] });
  const entry = parsed.entries.get(request.name);
  if (!entry) {
    throw new BerthError('INVALID_VALUE', `the image catalog's entry '${request.name}' cannot be used: ${parsed.problems[0]?.error ?? 'unknown problem'}`, {
      hint: `ask a cluster admin to fix it: kubectl berth images add ${request.name} --url URL --sha256 SHA256 --force`,
    });
  }
  return { source: request.name, url: entry.url, sha256: entry.sha256, catalogName: request.name, ...(entry.size !== undefined ? { sizeBytes: entry.size } : {}) };
}
