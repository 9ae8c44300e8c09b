// `install`: the shipped manifests with the chosen image, applied with server-side apply (or only
// printed with --dry-run), then a wait until every node's agent has said whether it can run VMs.
import { usageError } from '../../shared/errors.js';
import { parseDuration } from '../../shared/duration.js';
import { AgentCacheEnv, SYSTEM_NAMESPACE } from '../../shared/contract.js';
import { parseCacheMax, parseDiskReserve } from '../../shared/cache-budget.js';
import { olderServerWarning } from '../kube/cluster-versions.js';
import { kubeApis } from '../kube/vm-objects.js';
import { describeNodes, type AgentRollout } from '../install/agent-rollout.js';
import { applyObjects, type AppliedObject } from '../install/apply.js';
import { loadManifests } from '../install/manifest-files.js';
import { agentDaemonSet, installImage, installObjects, withAgentEnv, type ManifestObject } from '../install/manifest-set.js';
import { manifestsPrintable } from '../install/print.js';
import { waitForAgents } from '../install/wait.js';
import type { OpIo } from './io.js';

export interface InstallRequest {
  /** --image; else $BERTH_IMAGE, else the kustomization's. */
  image?: string;
  dryRun: boolean;
  wait: boolean;
  /** --timeout as typed. */
  timeout: string;
  /** --disk-reserve and --cache-max as typed: the agents' image cache budget (their defaults when unset). */
  diskReserve?: string;
  cacheMax?: string;
}

/** The agent's environment for the cache budget flags; refuses a bad value before anything is applied. */
export function cacheBudgetEnv(request: Pick<InstallRequest, 'diskReserve' | 'cacheMax'>): Record<string, string> {
  const env: Record<string, string> = {};
  if (request.diskReserve !== undefined) {
    const r = parseDiskReserve(request.diskReserve);
    if (!r.ok) throw usageError(`--disk-reserve: ${r.problem}`);
    env[AgentCacheEnv.diskReserve] = request.diskReserve.trim();
  }
  if (request.cacheMax !== undefined) {
    const r = parseCacheMax(request.cacheMax);
    if (!r.ok) throw usageError(`--cache-max: ${r.problem}`);
    env[AgentCacheEnv.cacheMax] = request.cacheMax.trim();
  }
  return env;
}

export interface InstallResult {
  image: string;
  objects: ManifestObject[];
  /** What apply did to each object (not with --dry-run). */
  applied?: AppliedObject[];
  /** The agents as last seen (only when waited for). */
  rollout?: AgentRollout;
}

export async function installBerth(request: InstallRequest, io: OpIo): Promise<InstallResult> {
  const timeout = parseDuration(request.timeout);
  if (!timeout.ok) throw usageError(`--timeout: ${timeout.problem}`);
  const bundle = await loadManifests();
  const image = installImage(request.image, process.env, bundle.kustomization);
  const objects = withAgentEnv(installObjects(bundle.objects, bundle.kustomization, image), cacheBudgetEnv(request));
  const ds = agentDaemonSet(objects);
  if (request.dryRun) {
    io.print(manifestsPrintable(objects, true));
    return { image, objects };
  }
  const conn = await io.connect();
  const warning = await olderServerWarning(conn);
  if (warning) io.note(warning);
  io.note(`installing berth into namespace ${SYSTEM_NAMESPACE} (image ${image})`);
  const applied = await applyObjects(conn, objects, (line) => io.note(`  ${line}`));
  io.print(manifestsPrintable(objects, false));
  if (!request.wait) {
    io.note('not waiting for the agents (--no-wait)');
    return { image, objects, applied };
  }
  const rollout = await waitForAgents(conn, await kubeApis(conn), ds, { timeoutMs: timeout.ms, progress: io.note });
  for (const line of describeNodes(rollout.reports)) io.note(line);
  const usable = rollout.reports.filter((r) => r.ready === 'true').length;
  io.note(usable > 0 ? `berth is installed: ${usable} node(s) can run VMs` : 'berth is installed, but no node can run VMs (see the reasons above)');
  return { image, objects, applied, rollout };
}
