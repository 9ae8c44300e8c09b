import { Args } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { splitAtDashDash, sshFlags } from '../access/ssh-flags.js';
import { sshToVm } from '../ops/ssh.js';

export default class Ssh extends BerthCommand {
  static override summary = 'Open an SSH session to a VM, or run a command in it, with your local OpenSSH.';
  static override description = `Runs the local ssh with a ProxyCommand that calls this plugin back (port-forward --stdio), so the connection travels through the Kubernetes API and needs no route to pod IPs. Host keys are kept per cluster in ~/.cache/kubectl-berth/known_hosts/<cluster> under the alias vm/NAME.NAMESPACE and accepted on first use. Everything after -- is the remote command. Exits with ssh's exit status.`;
  static override usage = '<%= command.id %> [USER@]NAME[.NAMESPACE] [-- COMMAND...]';
  static override examples = [
    '<%= config.bin %> <%= command.id %> root@web-1',
    '<%= config.bin %> <%= command.id %> cirros@web-1.team-a -i ~/.ssh/id_ed25519 -- uptime',
    '<%= config.bin %> <%= command.id %> web-1 -l debian -o ServerAliveInterval=15 --ssh-opt=-A',
  ];
  static override args = {
    target: Args.string({ required: true, description: 'The VM: [USER@]NAME[.NAMESPACE].' }),
  };
  static override flags = sshFlags;

  async run(): Promise<void> {
    const { own, rest } = splitAtDashDash(this.argv);
    const { args, flags } = await this.parse(Ssh, own);
    const code = await sshToVm({ target: args.target, command: rest, flags, packageRoot: this.config.root }, { reader: () => this.reader(flags) });
    if (code !== 0) this.exit(code);
  }
}
