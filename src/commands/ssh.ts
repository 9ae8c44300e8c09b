import { Args } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { checkTarget } from '../access/resolve.js';
import { requireTool, runForeground } from '../access/local-tools.js';
import { buildSshArgv } from '../access/ssh-argv.js';
import { splitAtDashDash, sshFlags } from '../access/ssh-flags.js';
import { prepareSsh } from '../access/ssh-session.js';
import { loginUser } from '../access/target.js';

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
    const ssh = requireTool('ssh', 'install the OpenSSH client (Debian/Ubuntu: openssh-client)');
    checkTarget(args.target, { allowUser: true });
    const reader = await this.reader(flags);
    const { vm, connection } = await prepareSsh(reader, this.config.root, args.target, flags);
    const argv = buildSshArgv({ ...connection, user: loginUser(vm.target.user, flags.username), command: rest });
    const code = await runForeground(ssh, argv);
    if (code !== 0) this.exit(code);
  }
}
