// `scp`: the local scp through the same ProxyCommand as ssh; the VM side written NAME:PATH.
import { requireTool, runForeground } from '../access/local-tools.js';
import { buildScpArgv, planScp } from '../access/scp-argv.js';
import { prepareSsh, type SshConnectionFlags } from '../access/ssh-session.js';
import { loginUser } from '../access/target.js';
import type { AccessIo } from './io.js';

export interface ScpRequest {
  /** Sources, then the destination, as typed. */
  operands: string[];
  flags: SshConnectionFlags & { username?: string; recursive: boolean; preserve: boolean };
  /** This installation, whose bin/kubectl-berth scp runs as its ProxyCommand. */
  packageRoot: string;
}

/** Returns scp's exit status. */
export async function scpWithVm(request: ScpRequest, io: Pick<AccessIo, 'reader'>): Promise<number> {
  const plan = planScp(request.operands);
  const scp = requireTool('scp', 'install the OpenSSH client (Debian/Ubuntu: openssh-client)');
  const reader = await io.reader();
  const target = `${plan.vm.name}${plan.vm.namespace ? `.${plan.vm.namespace}` : ''}`;
  const { connection } = await prepareSsh(reader, request.packageRoot, target, request.flags);
  const { flags } = request;
  const argv = buildScpArgv({ ...connection, operands: plan.operands, defaultUser: loginUser(undefined, flags.username), recursive: flags.recursive, preserve: flags.preserve });
  return runForeground(scp, argv);
}
