// `purge`: check the names, plan exactly what goes, show it, ask (unless --yes), delete it, and
// forget the VMs' ssh host keys. Nothing is deleted unless every named VM exists.
import { BerthError, usageError } from '../../shared/errors.js';
import { forgetVmHostKeys } from '../access/known-hosts.js';
import { checkVmName } from '../core/names.js';
import { planLines, planPurge } from '../core/purge-plan.js';
import { kubeApis } from '../kube/vm-objects.js';
import { executePurge, listPurgeable } from '../kube/vm-purge.js';
import { changesPrintable } from '../output/print.js';
import type { OpIo } from './io.js';
import { askConfirm, isInteractive } from './prompts.js';

export interface PurgeRequest {
  /** VM names as typed (vm/NAME accepted); empty with `all`. */
  names: string[];
  all: boolean;
  deleteDisks: boolean;
  /** Confirmed on the command line: ask nothing. */
  yes: boolean;
}

export interface PurgeResult {
  namespace: string;
  /** Objects deleted, as KIND/NAME. */
  deleted: string[];
  /** Disk PVCs left in place. */
  kept: string[];
}

const plural = (n: number, word: string) => `${word}${n > 1 ? 's' : ''}`;

export async function purgeVms(request: PurgeRequest, io: OpIo): Promise<PurgeResult> {
  const names = request.names.map(checkVmName);
  if (request.all && names.length > 0) throw usageError('give VM names or --all, not both');
  if (!request.all && names.length === 0) throw usageError('missing VM names', 'kubectl berth purge NAME… (or --all)');
  const conn = await io.connect();
  const apis = await kubeApis(conn);
  const { namespace } = conn;
  const plan = planPurge(request.all ? 'all' : names, await listPurgeable(conn, apis), request.deleteDisks);
  if (plan.missing.length > 0) {
    const list = plan.missing.map((n) => `'${n}'`).join(', ');
    throw new BerthError('VM_NOT_FOUND', `${plural(plan.missing.length, 'VM')} ${list} not found in namespace '${namespace}'; nothing was deleted`, {
      hint: ['list your VMs with: kubectl berth ls', 'if they live in another namespace, pass -n NAMESPACE'],
    });
  }
  const result: PurgeResult = { namespace, deleted: [], kept: plan.targets.flatMap((t) => t.keptPvcs) };
  const lines = planLines(plan);
  if (lines.length === 0) {
    io.note(`No VMs in namespace '${namespace}'; nothing to purge.`);
    return result;
  }
  io.note(`In namespace '${namespace}', this deletes:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  const { kept } = result;
  if (kept.length > 0) io.note(`and keeps the ${plural(kept.length, 'disk')}:\n${kept.map((p) => `  persistentvolumeclaim/${p}`).join('\n')}`);
  if (!request.yes) {
    if (!isInteractive()) throw usageError('purge needs confirmation and there is no terminal to ask on', 'pass --yes to confirm');
    if (!(await askConfirm(`Delete ${lines.length} ${plural(lines.length, 'object')}?`))) {
      io.note('Nothing was deleted.');
      return result;
    }
  }
  // Each object is printed as it goes, so an interrupted purge still says what it did.
  await executePurge(conn, apis, plan, (object) => {
    result.deleted.push(object);
    io.print(changesPrintable([{ ref: object, done: 'deleted' }]));
  });
  forgetVmHostKeys(conn.kubeConfig.getCurrentCluster()?.name, namespace, plan.targets.map((t) => t.vm));
  if (kept.length > 0) io.note(`Kept ${kept.length} ${plural(kept.length, 'disk')}; boot a new VM from one with create NAME --reuse-disk, or delete with purge NAME --delete-disks.`);
  return result;
}
