import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { changedOutputFlag } from '../flags/output.js';
import { purgeVms, type PurgeResult } from '../ops/purge-vms.js';
import { printer } from '../output/print.js';

export default class Purge extends BerthCommand {
  static override summary = 'Delete VMs; their disks are kept unless --delete-disks.';
  static override description = `Lists exactly what will be deleted — the StatefulSet, the cloud-init Secret and, only with --delete-disks, the disk PVCs — and asks for confirmation on a terminal; scripts pass --yes. Every named VM is checked first: if one does not exist, nothing is deleted (exit 3).

A kept disk lets a new VM of the same name boot from it: kubectl berth create NAME --reuse-disk. The VMs' ssh host keys are forgotten (kubectl berth ssh files them per cluster), so a new VM of the same name is accepted on first use instead of failing as a changed host key.`;

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

  async run(): Promise<PurgeResult> {
    const { argv, flags } = await this.parse(Purge);
    const request = { names: argv as string[], all: flags.all, deleteDisks: flags['delete-disks'], yes: flags.yes };
    return purgeVms(request, { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}
