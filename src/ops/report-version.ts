// `version`: the plugin's version always; the API server's and each node agent's when the cluster
// answers (an unreachable cluster is a note, not an error), with warnings on skew and support.
import { readClusterVersions } from '../kube/cluster-versions.js';
import { stderrPalette } from '../output/color.js';
import { renderVersionText, skewWarnings, type VersionReport } from '../version/report.js';
import { serverSupportNotice, type ServerSupportNotice } from '../version/server-support.js';
import type { OpIo } from './io.js';

export interface VersionRequest {
  clientVersion: string;
  /** --client: do not contact the cluster. */
  clientOnly: boolean;
  /** The plugin's name as users type it, for hints. */
  bin: string;
}

export async function reportVersion(request: VersionRequest, io: OpIo): Promise<VersionReport> {
  const report: VersionReport = { clientVersion: request.clientVersion };
  const paint = stderrPalette();
  let serverNotice: ServerSupportNotice | undefined;
  if (!request.clientOnly) {
    const found = await readClusterVersions(io.connect);
    if (found.server) report.serverVersion = found.server.server;
    if (found.agentVersions) report.agentVersions = found.agentVersions;
    serverNotice = found.server && serverSupportNotice(found.server);
    if (found.problem) io.note(`Note: ${found.problem}`);
  }
  io.print({ text: () => renderVersionText(report), data: () => ({ value: report }) });
  if (serverNotice?.level === 'Warning') io.note(paint.yellow(`Warning: ${serverNotice.text}`));
  else if (serverNotice) io.note(`Note: ${serverNotice.text}`);
  for (const warning of skewWarnings(report, request.bin)) io.note(paint.yellow(`Warning: ${warning}`));
  if (report.agentVersions?.length === 0) io.note(`Note: no node runs the berth agent yet; install it with ${request.bin} install`);
  return report;
}
