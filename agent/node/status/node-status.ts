// The node's labels and annotations as the agent wants them, built as one JSON merge patch: the
// KVM verdict, the agent version, the per-image cache status and one label per ready image.
// Image labels the agent no longer wants are set to null, which deletes them.
import { Annotations, LabelValues, Labels, type ImageCacheStatus } from '../../../shared/contract.js';
import { imageLabelKey, renderImageCacheAnnotation } from '../../../shared/image-cache.js';
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
