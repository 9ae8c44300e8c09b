import { Args } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { changedOutputFlag } from '../flags/output.js';
import { waitFlags } from '../flags/wait.js';
import { stopVm } from '../ops/stop-vm.js';
import type { PowerResult } from '../ops/start-vm.js';
import { printer } from '../output/print.js';

export default class Stop extends BerthCommand {
  static override summary = 'Stop a VM: power the guest down and remove its pod; the disk stays.';
  static override description = `Scales the VM's StatefulSet to 0. The launcher asks the guest to power down (ACPI) and gives it the VM's --shutdown-timeout before it stops QEMU. The disk (PVC) and the cloud-init Secret stay; kubectl berth start brings the same VM back.`;

  static override examples = ['<%= config.bin %> <%= command.id %> web', '<%= config.bin %> <%= command.id %> web --wait -n team-a'];

  static override args = { name: Args.string({ description: 'VM name (vm/NAME also accepted).', required: true }) };

  static override flags = { ...waitFlags('Wait until the guest has powered down and the pod is gone.'), output: changedOutputFlag };

  async run(): Promise<PowerResult> {
    const { args, flags } = await this.parse(Stop);
    return stopVm(args.name, flags, { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}
