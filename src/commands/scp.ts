import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { requireTool, runForeground } from '../access/local-tools.js';
import { buildScpArgv, planScp } from '../access/scp-argv.js';
import { sshFlags } from '../access/ssh-flags.js';
import { prepareSsh } from '../access/ssh-session.js';
import { loginUser } from '../access/target.js';

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
    const plan = planScp(argv as string[]);
    const scp = requireTool('scp', 'install the OpenSSH client (Debian/Ubuntu: openssh-client)');
    const reader = await this.reader(flags);
    const target = `${plan.vm.name}${plan.vm.namespace ? `.${plan.vm.namespace}` : ''}`;
    const { connection } = await prepareSsh(reader, this.config.root, target, flags);
    const argv2 = buildScpArgv({ ...connection, operands: plan.operands, defaultUser: loginUser(undefined, flags.username), recursive: flags.recursive, preserve: flags.preserve });
    const code = await runForeground(scp, argv2);
    if (code !== 0) this.exit(code);
  }
}
