import { Args } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { changedOutputFlag } from '../flags/output.js';
import { waitFlags } from '../flags/wait.js';
import { startVm, type PowerResult } from '../ops/start-vm.js';
import { printer } from '../output/print.js';

export default class Start extends BerthCommand {
  static override summary = 'Start a stopped VM again, from the disk it left behind.';
  static override description = `Scales the VM's StatefulSet back to 1. Kubernetes places the pod on a node that can run it (reattaching the disk), and the launcher boots the guest from its pet disk.`;

  static override examples = ['<%= config.bin %> <%= command.id %> web', '<%= config.bin %> <%= command.id %> web --wait -n team-a'];

  static override args = { name: Args.string({ description: 'VM name (vm/NAME also accepted).', required: true }) };

  static override flags = { ...waitFlags('Wait until the pod runs and the guest answers on its ready port; progress on stderr.'), output: changedOutputFlag };

  async run(): Promise<PowerResult> {
    const { args, flags } = await this.parse(Start);
    return startVm(args.name, flags, { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}
