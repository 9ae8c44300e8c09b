import { Args, Flags } from '@oclif/core';
import { forgetVmHostKeys } from '../access/known-hosts.js';
import { BerthCommand } from '../base-command.js';
import { BerthError, usageError } from '../../shared/errors.js';
import { checkVmName } from '../core/names.js';
import { planLines, planPurge } from '../core/purge-plan.js';
import { changedLine, changedOutputFlag } from '../flags/output.js';
import { kubeApis } from '../kube/vm-objects.js';
import { executePurge, listPurgeable } from '../kube/vm-purge.js';
import { askConfirm, isInteractive } from '../ops/prompts.js';

export default class Purge extends BerthCommand {
  static override summary = 'Delete VMs; their disks are kept unless --delete-disks.';
  static override description = `Lists exactly what will be deleted — the StatefulSet, the cloud-init Secret and, only with
--delete-disks, the disk PVCs — and asks for confirmation on a terminal; scripts pass --yes.
Every named VM is checked first: if one does not exist, nothing is deleted (exit 3).
A kept disk lets a new VM of the same name boot from it: kubectl berth create NAME --reuse-disk.
The VMs' ssh host keys are forgotten (kubectl berth ssh files them per cluster), so a new VM of
the same name is accepted on first use instead of failing as a changed host key.`;

  static override strict = false;

  static override examples = [
    '<%= config.bin %> <%= command.id %> web',
    '<%= config.bin %> <%= command.id %> web db --delete-disks --yes',
    '<%= config.bin %> <%= command.id %> --all -n scratch --delete-disks --yes',
  ];

  static override args = { name: Args.string({ description: 'VM names (vm/NAME also accepted).' }) };

  static override flags = {
    all: Flags.boolean({ summary: 'Purge every VM in the namespace.' }),
    'delete-disks': Flags.boolean({ summary: 'Also delete the disks (PVCs): the VMs\' data is lost.' }),
    yes: Flags.boolean({ char: 'y', summary: 'Do not ask for confirmation.' }),
    output: changedOutputFlag,
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Purge);
    const names = (argv as string[]).map(checkVmName);
    if (flags.all && names.length > 0) throw usageError('give VM names or --all, not both');
    if (!flags.all && names.length === 0) throw usageError('missing VM names', 'kubectl berth purge NAME… (or --all)');
    const conn = await this.cluster(flags);
    const apis = await kubeApis(conn);
    const plan = planPurge(flags.all ? 'all' : names, await listPurgeable(conn, apis), flags['delete-disks']);
    if (plan.missing.length > 0) {
      const list = plan.missing.map((n) => `'${n}'`).join(', ');
      throw new BerthError('VM_NOT_FOUND', `VM${plan.missing.length > 1 ? 's' : ''} ${list} not found in namespace '${conn.namespace}'; nothing was deleted`, {
        hint: ['list your VMs with: kubectl berth ls', 'if they live in another namespace, pass -n NAMESPACE'],
      });
    }
    const lines = planLines(plan);
    if (lines.length === 0) {
      this.note(`No VMs in namespace '${conn.namespace}'; nothing to purge.`);
      return;
    }
    this.note(`In namespace '${conn.namespace}', this deletes:\n${lines.map((l) => `  ${l}`).join('\n')}`);
    const kept = plan.targets.flatMap((t) => t.keptPvcs);
    if (kept.length > 0) this.note(`and keeps the disk${kept.length > 1 ? 's' : ''}:\n${kept.map((p) => `  persistentvolumeclaim/${p}`).join('\n')}`);
    if (!flags.yes) {
      if (!isInteractive()) throw usageError('purge needs confirmation and there is no terminal to ask on', 'pass --yes to confirm');
      if (!(await askConfirm(`Delete ${lines.length} object${lines.length > 1 ? 's' : ''}?`))) {
        this.note('Nothing was deleted.');
        return;
      }
    }
    await executePurge(conn, apis, plan, (object) => process.stdout.write(changedLine(object, 'deleted', flags.output)));
    forgetVmHostKeys(conn.kubeConfig.getCurrentCluster()?.name, conn.namespace, plan.targets.map((t) => t.vm));
    if (kept.length > 0) this.note(`Kept ${kept.length} disk${kept.length > 1 ? 's' : ''}; boot a new VM from one with create NAME --reuse-disk, or delete with purge NAME --delete-disks.`);
  }
}
