// Prometheus text exposition format (version 0.0.4), written by hand: a handful of gauges and
// counters do not justify a metrics library.
import type { ImageCacheState, ImageCacheStatus } from '../../../shared/contract.js';

export interface MetricsSnapshot {
  agentVersion: string;
  node: string;
  kvm?: boolean;
  qemu?: boolean;
  images: Map<string, ImageCacheStatus>;
  downloadsSucceeded: number;
  downloadsFailed: number;
  bytesDownloaded: number;
  /** Resource name → registered with the kubelet. */
  devicePlugins: Map<string, boolean>;
}

const STATES: ImageCacheState[] = ['pending', 'downloading', 'ready', 'failed', 'no-room'];

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
  return body ? `{${body}}` : '';
}

export function renderMetrics(s: MetricsSnapshot): string {
  const lines: string[] = [];
  const family = (name: string, type: 'gauge' | 'counter', help: string, samples: Array<[Record<string, string>, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) lines.push(`${name}${labels(l)} ${v}`);
  };
  family('berth_agent_info', 'gauge', 'The berth node agent, by version and node.', [[{ version: s.agentVersion, node: s.node }, 1]]);
  if (s.kvm !== undefined) family('berth_node_kvm', 'gauge', '1 when a test guest ran under KVM on this node.', [[{}, s.kvm ? 1 : 0]]);
  if (s.qemu !== undefined) family('berth_node_qemu', 'gauge', '1 when QEMU runs a guest on this node (KVM or TCG).', [[{}, s.qemu ? 1 : 0]]);
  const names = [...s.images.keys()].sort();
  family('berth_image_state', 'gauge', 'Cache state of each catalog image (1 for the current state).',
    names.flatMap((image) => STATES.map((state): [Record<string, string>, number] => [{ image, state }, s.images.get(image)!.state === state ? 1 : 0])));
  family('berth_image_bytes_done', 'gauge', 'Bytes of each image on disk.', names.map((image) => [{ image }, s.images.get(image)!.bytesDone]));
  family('berth_image_bytes_total', 'gauge', 'Size of each image when known.',
    names.filter((image) => s.images.get(image)!.bytesTotal !== undefined).map((image) => [{ image }, s.images.get(image)!.bytesTotal!]));
  family('berth_image_downloads_total', 'counter', 'Finished download attempts by result.', [[{ result: 'success' }, s.downloadsSucceeded], [{ result: 'failure' }, s.downloadsFailed]]);
  family('berth_image_download_bytes_total', 'counter', 'Bytes received from image servers.', [[{}, s.bytesDownloaded]]);
  family('berth_device_plugin_registered', 'gauge', '1 when the device plugin for a resource is registered with the kubelet.',
    [...s.devicePlugins].sort(([a], [b]) => a.localeCompare(b)).map(([resource, ok]) => [{ resource }, ok ? 1 : 0]));
  return `${lines.join('\n')}\n`;
}
