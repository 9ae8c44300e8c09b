import { Args } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { changedOutputFlag } from '../flags/output.js';
import { waitFlags } from '../flags/wait.js';
import { restartVm } from '../ops/restart-vm.js';
import type { PowerResult } from '../ops/start-vm.js';
import { printer } from '../output/print.js';

export default class Restart extends BerthCommand {
  static override summary = 'Restart a running VM: power the guest down and boot it again from its disk.';
  static override description = `Deletes the VM's pod; the launcher powers the guest down (ACPI, within the VM's --shutdown-timeout) and the StatefulSet starts a new pod, possibly on another node, on the same disk.`;

  static override examples = ['<%= config.bin %> <%= command.id %> web', '<%= config.bin %> <%= command.id %> web --wait'];

  static override args = { name: Args.string({ description: 'VM name (vm/NAME also accepted).', required: true }) };

  static override flags = { ...waitFlags('Wait until the guest answers again on its ready port; progress on stderr.'), output: changedOutputFlag };

  async run(): Promise<PowerResult> {
    const { args, flags } = await this.parse(Restart);
    return restartVm(args.name, flags, { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}
