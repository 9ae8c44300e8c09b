// What ssh and scp share at the edge: the VM's running pod is checked first (a clear exit 3/4
// instead of ssh's "Connection closed"), the per-cluster known_hosts directory exists, and the
// ProxyCommand calls back this very plugin with the same connection flags.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ClusterReader } from '../kube/reader.js';
import { readerLookup } from '../kube/vm-pod.js';
import { cacheHome, knownHostsFile } from './known-hosts.js';
import { resolveVm, type ResolvedVm } from './resolve.js';
import { buildProxyArgv, type SshConnection } from './ssh-argv.js';

export interface SshConnectionFlags {
  kubeconfig?: string;
  context?: string;
  'request-timeout'?: string;
  'identity-file'?: string;
  option?: string[];
  'ssh-opt'?: string[];
  port: number;
}

/** bin/kubectl-berth of this installation, absolute: ssh runs it from its own environment. */
export function selfExecutable(packageRoot: string): string {
  return join(packageRoot, 'bin', 'kubectl-berth');
}

export async function prepareSsh(
  reader: ClusterReader,
  packageRoot: string,
  rawTarget: string,
  flags: SshConnectionFlags,
): Promise<{ vm: ResolvedVm; connection: SshConnection }> {
  const vm = await resolveVm(readerLookup(reader), reader, rawTarget, { allowUser: true });
  const knownHosts = knownHostsFile(cacheHome(process.env, homedir()), reader.clusterName);
  mkdirSync(join(knownHosts, '..'), { recursive: true, mode: 0o700 });
  const proxyArgv = buildProxyArgv({
    self: selfExecutable(packageRoot),
    name: vm.name,
    namespace: vm.namespace,
    port: flags.port,
    kubeconfig: flags.kubeconfig ? resolve(flags.kubeconfig) : undefined,
    context: flags.context,
    requestTimeout: flags['request-timeout'],
  });
  return {
    vm,
    connection: {
      proxyArgv,
      name: vm.name,
      namespace: vm.namespace,
      knownHostsFile: knownHosts,
      identityFile: flags['identity-file'],
      options: flags.option ?? [],
      extraArgs: flags['ssh-opt'] ?? [],
    },
  };
}
