// The argv of the local OpenSSH client: it reaches the VM through a ProxyCommand that calls this
// plugin back (`port-forward --stdio`), so no route to pod IPs is needed. Pure; tested by equality.
import { hostKeyAlias, sshHostName } from './target.js';
import { proxyCommandString } from './shell-quote.js';

export interface ProxyCommandInput {
  /** Absolute path of this plugin's executable (bin/kubectl-berth). */
  self: string;
  name: string;
  namespace: string;
  port: number;
  /** Absolute path, when the user gave --kubeconfig (otherwise $KUBECONFIG is inherited). */
  kubeconfig?: string;
  context?: string;
  requestTimeout?: string;
}

/** The argv ssh runs as its ProxyCommand: one port-forward stream on stdin/stdout. */
export function buildProxyArgv(input: ProxyCommandInput): string[] {
  return [
    input.self,
    'port-forward',
    '--stdio',
    ...(input.kubeconfig ? ['--kubeconfig', input.kubeconfig] : []),
    ...(input.context ? ['--context', input.context] : []),
    ...(input.requestTimeout && input.requestTimeout !== '0' ? ['--request-timeout', input.requestTimeout] : []),
    '-n',
    input.namespace,
    input.name,
    String(input.port),
  ];
}

export interface SshConnection {
  proxyArgv: readonly string[];
  name: string;
  namespace: string;
  knownHostsFile: string;
  identityFile?: string;
  /** `-o KEY=VALUE` options from the user. */
  options?: readonly string[];
  /** Raw arguments for ssh/scp from the user (e.g. -v, -A). */
  extraArgs?: readonly string[];
}

/** Quotes an ssh_config value that holds whitespace (ssh splits option values on it). */
function configValue(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}

/**
 * The options ssh and scp share. The user's come first: ssh keeps the first value it sees for
 * each option, so `-o StrictHostKeyChecking=yes` from the user overrides our accept-new.
 */
export function sshConnectionArgs(c: SshConnection): string[] {
  return [
    ...(c.extraArgs ?? []),
    ...(c.options ?? []).flatMap((option) => ['-o', option]),
    ...(c.identityFile ? ['-i', c.identityFile] : []),
    '-o',
    `ProxyCommand=${proxyCommandString(c.proxyArgv)}`,
    '-o',
    `HostKeyAlias=${hostKeyAlias(c.name, c.namespace)}`,
    '-o',
    `UserKnownHostsFile=${configValue(c.knownHostsFile)}`,
    '-o',
    'StrictHostKeyChecking=accept-new',
  ];
}

export interface SshInvocation extends SshConnection {
  user?: string;
  /** The remote command, passed after the destination (ssh joins it with spaces). */
  command?: readonly string[];
}

/** `ssh … -- [user@]vm.NAME.NS [command…]`: '--' keeps the command's words away from ssh's options. */
export function buildSshArgv(s: SshInvocation): string[] {
  const host = sshHostName(s.name, s.namespace);
  return [...sshConnectionArgs(s), '--', s.user ? `${s.user}@${host}` : host, ...(s.command ?? [])];
}
