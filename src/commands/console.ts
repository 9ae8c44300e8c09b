import { Args } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import type { ConsoleEnd } from '../access/console-session.js';
import { attachConsole } from '../ops/console.js';

export default class Console extends BerthCommand {
  static override summary = "Connect to a VM's serial console.";
  static override description = `Attaches to the VM container's stdin and stdout, where the launcher puts the guest's serial console (kernel messages, login prompt). Press Ctrl-] to leave; every other key, Ctrl-C included, goes to the guest. Works through the Kubernetes API, like kubectl attach.`;
  static override examples = ['<%= config.bin %> <%= command.id %> web-1', '<%= config.bin %> <%= command.id %> web-1.team-a'];
  static override args = {
    name: Args.string({ required: true, description: 'The VM: NAME or NAME.NAMESPACE.' }),
  };

  async run(): Promise<ConsoleEnd> {
    const { args, flags } = await this.parse(Console);
    return attachConsole(args.name, { connect: () => this.cluster(flags), note: (m) => this.note(m) });
  }
}
