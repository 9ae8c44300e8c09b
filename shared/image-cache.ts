// What a node's agent tells the cluster about its image cache, and how everyone reads it back:
// one label per ready image (`image.berth.dev/<name>=ready`, which VM pods prefer in their node
// affinity) and one annotation with the JSON status of every catalog image. The agent writes both;
// the plugin's StatefulSet builder and `images` read them; this file is the only place either
// format is spelled.
import { Labels, type ImageCacheStatus } from './contract.js';
import { imageLabelName } from './catalog.js';

/** The node label key that says image `name` is ready in this node's cache. */
export function imageLabelKey(name: string): string {
  return `${Labels.nodeImagePrefix}${imageLabelName(name)}`;
}

/** The annotation value: a JSON object of image name → status, keys sorted for stable diffs. */
export function renderImageCacheAnnotation(images: Map<string, ImageCacheStatus>): string {
  const out: Record<string, ImageCacheStatus> = {};
  for (const name of [...images.keys()].sort()) out[name] = images.get(name)!;
  return JSON.stringify(out);
}

/** Parses the annotation back, tolerating garbage (another writer, an older agent) as no report. */
export function parseImageCacheAnnotation(value: string | undefined): Record<string, ImageCacheStatus> {
  if (!value) return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, ImageCacheStatus>) : {};
  } catch {
    return {};
  }
}
