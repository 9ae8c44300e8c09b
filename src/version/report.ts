// What `kubectl berth version` reports: the plugin's version, the API server's, and the node agents'
// versions read from the node annotation the agent writes, with a warning when they differ. Pure.
import { Annotations } from '../../shared/contract.js';

export interface AgentVersion {
  node: string;
  version: string;
}

export interface VersionReport {
  clientVersion: string;
  /** The API server's gitVersion, e.g. v1.37.2; absent when the cluster could not be asked. */
  serverVersion?: string;
  /** Absent when the cluster could not be asked. */
  agentVersions?: AgentVersion[];
}

interface NodeLike {
  metadata?: { name?: string; annotations?: Record<string, string> };
}

/** The agent version of every node the agent has annotated, sorted by node name. */
export function agentVersionsOf(nodes: NodeLike[]): AgentVersion[] {
  return nodes
    .map((n) => ({ node: n.metadata?.name ?? '', version: n.metadata?.annotations?.[Annotations.nodeAgentVersion] ?? '' }))
    .filter((a) => a.node !== '' && a.version !== '')
    .sort((a, b) => a.node.localeCompare(b.node));
}

const bare = (v: string) => v.replace(/^v/, '');

/** One warning per agent version that differs from the plugin's. */
export function skewWarnings(report: VersionReport, bin = 'kubectl berth'): string[] {
  const byVersion = new Map<string, string[]>();
  for (const a of report.agentVersions ?? []) {
    if (bare(a.version) === bare(report.clientVersion)) continue;
    byVersion.set(a.version, [...(byVersion.get(a.version) ?? []), a.node]);
  }
  return [...byVersion].map(
    ([version, nodes]) =>
      `version skew: the plugin is ${report.clientVersion} but the agent on ${nodes.join(', ')} is ${version}; ` +
      `run '${bin} install' with this plugin to bring the agents to ${report.clientVersion}, or use the plugin that matches them`,
  );
}

/** The human-readable form, like `kubectl version`. */
export function renderVersionText(report: VersionReport): string {
  const lines = [`Client Version: ${report.clientVersion}`];
  if (report.serverVersion) lines.push(`Server Version: ${report.serverVersion}`);
  if (report.agentVersions) {
    if (report.agentVersions.length === 0) lines.push('Agent Versions: none');
    else {
      lines.push('Agent Versions:');
      const width = Math.max(...report.agentVersions.map((a) => a.node.length));
      for (const a of report.agentVersions) lines.push(`  ${a.node.padEnd(width + 3)}${a.version}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
