// The node's labels and annotations as the agent wants them, built as one JSON merge patch: the
// KVM verdict, the agent version, the per-image cache status and one label per ready image.
// Image labels the agent no longer wants are set to null, which deletes them.
import { Annotations, LabelValues, Labels, type ImageCacheStatus } from '../../../shared/contract.js';
import { imageLabelName } from '../../../shared/catalog.js';
import type { KvmVerdict } from '../kvm/decide.js';

export interface NodeStatusInput {
  verdict?: KvmVerdict;
  agentVersion: string;
  /** Per image name; undefined when the cache has not reported yet (image labels are then left alone). */
  images?: Map<string, ImageCacheStatus>;
  /** The node's labels now, to find image labels that must go. */
  currentLabels: Record<string, string>;
}

export interface NodeMergePatch {
  metadata: { labels: Record<string, string | null>; annotations: Record<string, string | null> };
}

/** The annotation value: a JSON object of image name → status, keys sorted for stable diffs. */
export function renderImageCacheAnnotation(images: Map<string, ImageCacheStatus>): string {
  const out: Record<string, ImageCacheStatus> = {};
  for (const name of [...images.keys()].sort()) out[name] = images.get(name)!;
  return JSON.stringify(out);
}

export function imageLabelKey(name: string): string {
  return `${Labels.nodeImagePrefix}${imageLabelName(name)}`;
}

export function buildNodePatch(input: NodeStatusInput): NodeMergePatch {
  const labels: Record<string, string | null> = {};
  const annotations: Record<string, string | null> = { [Annotations.nodeAgentVersion]: input.agentVersion };
  if (input.verdict) {
    labels[Labels.nodeKvm] = String(input.verdict.kvm);
    labels[Labels.nodeReady] = String(input.verdict.node);
    annotations[Annotations.nodeKvmReason] = input.verdict.reason;
  }
  if (input.images) {
    annotations[Annotations.nodeImageCache] = renderImageCacheAnnotation(input.images);
    const ready = new Set<string>();
    for (const [name, status] of input.images) if (status.state === 'ready') ready.add(imageLabelKey(name));
    for (const key of Object.keys(input.currentLabels)) {
      if (key.startsWith(Labels.nodeImagePrefix) && !ready.has(key)) labels[key] = null;
    }
    for (const key of ready) labels[key] = LabelValues.imageReady;
  }
  return { metadata: { labels, annotations } };
}

/** Parses the annotation back, tolerating garbage (another writer, an older agent). */
export function parseImageCacheAnnotation(value: string | undefined): Record<string, ImageCacheStatus> {
  if (!value) return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, ImageCacheStatus>) : {};
  } catch {
    return {};
  }
}
