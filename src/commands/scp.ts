import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { sshFlags } from '../access/ssh-flags.js';
import { scpWithVm } from '../ops/scp.js';

export default class Scp extends BerthCommand {
  static override summary = 'Copy files to or from a VM with your local scp.';
  static override description = `Runs the local scp through the same ProxyCommand as \`kubectl berth ssh\`: no route to pod IPs is needed. Write the VM side as [USER@]NAME[.NAMESPACE]:PATH; local paths that hold a ':' need a leading ./ (as with scp). Exits with scp's exit status.`;
  static override usage = '<%= command.id %> SOURCE... DESTINATION';
  static override examples = [
    '<%= config.bin %> <%= command.id %> ./app.tar.gz root@web-1:/tmp/',
    '<%= config.bin %> <%= command.id %> -r debian@web-1.team-a:/var/log/app ./logs',
  ];
  static override strict = false;
  static override args = {
    paths: Args.string({ required: true, description: 'Sources, then the destination; the VM side as NAME:PATH.' }),
  };
  static override flags = {
    ...sshFlags,
    port: Flags.integer({ char: 'P', description: "The guest's SSH port (scp spells it -P).", default: 22, min: 1, max: 65535 }),
    recursive: Flags.boolean({ char: 'r', description: 'Copy directories recursively.', default: false }),
    preserve: Flags.boolean({ char: 'p', description: 'Keep modification times and modes.', default: false }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Scp);
    const code = await scpWithVm({ operands: argv as string[], flags, packageRoot: this.config.root }, { reader: () => this.reader(flags) });
    if (code !== 0) this.exit(code);
  }
}
