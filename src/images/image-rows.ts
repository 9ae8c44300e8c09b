// `kubectl berth images`: the catalog joined with what every node's agent reports about it. Pure.
import { Annotations, type CatalogEntry, type ImageCacheStatus } from '../../shared/contract.js';
import { parseCatalog } from '../../shared/catalog.js';
import { parseImageCacheAnnotation } from '../../shared/image-cache.js';
import type { NodeFacts } from './catalog-api.js';
import { formatBytes } from '../../shared/quantity.js';

export { formatBytes };

export interface ImageNodeState {
  node: string;
  state: ImageCacheStatus['state'] | 'unknown';
  bytesDone?: number;
  bytesTotal?: number;
  error?: string;
}

export interface ImageRow {
  name: string;
  entry?: CatalogEntry;
  /** Set when the catalog entry itself is unusable. */
  problem?: string;
  nodes: ImageNodeState[];
}

/** Nodes without an agent report (no annotation) are left out: they cannot hold images. */
export function buildImageRows(catalog: Record<string, string>, nodes: NodeFacts[]): ImageRow[] {
  const { entries, problems } = parseCatalog(catalog);
  const reporting = nodes.filter((n) => n.annotations[Annotations.nodeImageCache] !== undefined);
  const statusByNode = new Map(reporting.map((n) => [n.name, parseImageCacheAnnotation(n.annotations[Annotations.nodeImageCache])]));
  const rows: ImageRow[] = [];
  const stateOn = (name: string, sha?: string): ImageNodeState[] =>
    reporting.map((n) => {
      const s = statusByNode.get(n.name)?.[name];
      if (!s || (sha && s.sha256 && s.sha256 !== sha)) return { node: n.name, state: 'unknown' };
      return { node: n.name, state: s.state, bytesDone: s.bytesDone, bytesTotal: s.bytesTotal, error: s.error };
    });
  for (const [name, entry] of entries) rows.push({ name, entry, nodes: stateOn(name, entry.sha256) });
  for (const p of problems) rows.push({ name: p.name, problem: p.error, nodes: stateOn(p.name) });
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** "2/3": nodes with the image ready out of nodes running the agent. */
export function readySummary(row: ImageRow): string {
  return `${row.nodes.filter((n) => n.state === 'ready').length}/${row.nodes.length}`;
}

/** The most telling per-node state, for the STATUS column: failed > no room > downloading > pending > ready. */
export function statusSummary(row: ImageRow): string {
  if (row.problem) return 'Invalid';
  const has = (s: string) => row.nodes.some((n) => n.state === s);
  if (has('failed')) return 'Failed';
  // Not downloaded (or evicted) because it does not fit a node's cache budget; -o wide says why.
  if (has('no-room')) return 'NoRoom';
  if (has('downloading')) {
    const d = row.nodes.find((n) => n.state === 'downloading')!;
    return d.bytesTotal ? `Downloading ${Math.floor((100 * (d.bytesDone ?? 0)) / d.bytesTotal)}%` : `Downloading ${formatBytes(d.bytesDone)}`;
  }
  if (has('pending') || has('unknown')) return 'Pending';
  return row.nodes.length === 0 ? 'NoAgents' : 'Ready';
}

/** Per node, one short word each: "berth-node=ready,n2=41%". */
export function nodeDetail(row: ImageRow): string {
  if (row.nodes.length === 0) return '<none>';
  return row.nodes
    .map((n) => `${n.node}=${n.state === 'downloading' && n.bytesTotal ? `${Math.floor((100 * (n.bytesDone ?? 0)) / n.bytesTotal)}%` : n.state}`)
    .join(',');
}

/** The first error any node reports, for the wide output. */
export function firstError(row: ImageRow): string {
  return row.problem ?? row.nodes.find((n) => n.error)?.error ?? '';
}
