// `ssh`: the local OpenSSH, pointed at the VM through a ProxyCommand that calls this plugin back
// (port-forward --stdio), so the connection needs no route to pod IPs.
import { requireTool, runForeground } from '../access/local-tools.js';
import { checkTarget } from '../access/resolve.js';
import { buildSshArgv } from '../access/ssh-argv.js';
import { prepareSsh, type SshConnectionFlags } from '../access/ssh-session.js';
import { loginUser } from '../access/target.js';
import type { AccessIo } from './io.js';

export interface SshRequest {
  /** [USER@]NAME[.NAMESPACE] */
  target: string;
  /** What followed --: the remote command. */
  command: string[];
  flags: SshConnectionFlags & { username?: string };
  /** This installation, whose bin/kubectl-berth ssh runs as its ProxyCommand. */
  packageRoot: string;
}

/** Returns ssh's exit status. */
export async function sshToVm(request: SshRequest, io: Pick<AccessIo, 'reader'>): Promise<number> {
  const ssh = requireTool('ssh', 'install the OpenSSH client (Debian/Ubuntu: openssh-client)');
  checkTarget(request.target, { allowUser: true });
  const { vm, connection } = await prepareSsh(await io.reader(), request.packageRoot, request.target, request.flags);
  const argv = buildSshArgv({ ...connection, user: loginUser(vm.target.user, request.flags.username), command: request.command });
  return runForeground(ssh, argv);
}
