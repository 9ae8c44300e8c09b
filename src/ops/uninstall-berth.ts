// `uninstall`: refuse while VMs exist (unless --yes), delete what install applied and the berth
// labels on nodes, wait for the namespace to go, and say what was left behind.
import { BerthError, usageError } from '../../shared/errors.js';
import { parseDuration } from '../../shared/duration.js';
import { kubeApis } from '../kube/vm-objects.js';
import { waitUntil, watchWake } from '../kube/wait-until.js';
import { deleteObjects, objectExists } from '../install/apply.js';
import { clearNodeLabels, takeInventory } from '../install/cleanup.js';
import { leftoverLines, refusalReason, type Inventory } from '../install/leftovers.js';
import { loadManifests } from '../install/manifest-files.js';
import { deleteOrder, installImage, installObjects, type ManifestObject } from '../install/manifest-set.js';
import { manifestsPrintable } from '../install/print.js';
import type { OpIo } from './io.js';

export interface UninstallRequest {
  /** Go ahead while VMs exist. */
  yes: boolean;
  dryRun: boolean;
  wait: boolean;
  /** --timeout as typed. */
  timeout: string;
}

export interface UninstallResult {
  /** What was deleted (or with --dry-run, would be), in deletion order. */
  objects: ManifestObject[];
  /** What stays: VMs, disks and cached images (not with --dry-run). */
  leftovers?: Inventory;
}

/** How often to look whether the namespace is gone, when no watch event comes first. */
const NAMESPACE_POLL_MS = 2000;

export async function uninstallBerth(request: UninstallRequest, io: OpIo): Promise<UninstallResult> {
  const timeout = parseDuration(request.timeout);
  if (!timeout.ok) throw usageError(`--timeout: ${timeout.problem}`);
  const bundle = await loadManifests();
  const objects = installObjects(bundle.objects, bundle.kustomization, installImage(undefined, process.env, bundle.kustomization));
  const ordered = deleteOrder(objects);
  if (request.dryRun) {
    io.print(manifestsPrintable(ordered, true));
    return { objects: ordered };
  }
  const conn = await io.connect();
  const apis = await kubeApis(conn);
  const stock = await takeInventory(conn, apis);
  const refusal = refusalReason(stock);
  if (refusal && !request.yes) {
    throw new BerthError('CONFLICT', `not uninstalling: ${refusal}`, {
      hint: ['purge them first: kubectl berth purge NAME -n NAMESPACE (add --delete-disks to drop their disks)', 'or pass --yes to uninstall anyway; the VMs keep running but nothing manages them'],
    });
  }
  if (refusal) io.note(`warning: ${refusal}; they keep running without an agent (--yes)`);
  io.note('uninstalling berth');
  await deleteObjects(conn, objects, (line) => io.note(`  ${line}`));
  await clearNodeLabels(conn, apis, stock.cleanups, (line) => io.note(`  ${line}`));
  io.print(manifestsPrintable(ordered, false));
  const namespace = objects.find((o) => o.kind === 'Namespace');
  if (request.wait && namespace) {
    const name = namespace.metadata.name;
    await waitUntil<boolean, true>({
      observe: () => objectExists(conn, namespace),
      describe: () => `waiting for namespace ${name} to terminate`,
      done: (exists) => (exists ? undefined : true),
      timedOut: () => new BerthError('TIMEOUT', `namespace ${name} is still terminating after ${request.timeout}`, { hint: `see what holds it: kubectl get all -n ${name}` }),
      timeoutMs: timeout.ms,
      pollMs: NAMESPACE_POLL_MS,
      progress: io.note,
      watch: (wake) => watchWake(conn, '/api/v1/namespaces', { fieldSelector: `metadata.name=${name}` }, wake),
    });
  }
  for (const line of leftoverLines(stock)) io.note(line);
  return { objects: ordered, leftovers: stock };
}
