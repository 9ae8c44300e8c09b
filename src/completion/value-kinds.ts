// What a flag value or a positional argument names, so completion knows where to look. Decided by
// the flag or argument name, with per-command exceptions; a new command gets sensible completion
// by naming its VM argument `vm` (or `name`) and its image flag `image`.

export type ValueKind =
  /** An existing VM: StatefulSets labelled with the VM name. */
  | 'vm'
  /** An existing VM followed by ':' and a path (scp); local paths still complete as files. */
  | 'vm-path'
  /** A catalog image name (the Catalog ConfigMap). */
  | 'image'
  | 'node'
  /** kubernetes.io/hostname=<node>. */
  | 'node-selector'
  | 'namespace'
  | 'context'
  /** Let the shell complete file names. */
  | 'file'
  /** A free value (a new name, a size): offer nothing. */
  | 'none';

const FLAG_KINDS: Record<string, ValueKind> = {
  image: 'image',
  node: 'node',
  'node-selector': 'node-selector',
  namespace: 'namespace',
  context: 'context',
  kubeconfig: 'file',
  'user-data': 'file',
  'ssh-key': 'file',
  identity: 'file',
  'identity-file': 'file',
  file: 'file',
  'request-timeout': 'none',
  name: 'none',
  memory: 'none',
  cpus: 'none',
  'disk-size': 'none',
  port: 'none',
  address: 'none',
  selector: 'none',
};

const ARG_KINDS: Record<string, ValueKind> = {
  vm: 'vm',
  vms: 'vm',
  name: 'vm',
  names: 'vm',
  destination: 'vm',
  target: 'vm',
  image: 'image',
  node: 'node',
  file: 'file',
  path: 'file',
};

/** Exceptions by command id, then argument or flag name. */
const COMMAND_ARG_KINDS: Record<string, Record<string, ValueKind>> = {
  // create names a VM that does not exist yet.
  create: { name: 'none', vm: 'none' },
  scp: { source: 'vm-path', destination: 'vm-path', src: 'vm-path', dest: 'vm-path' },
};

export function flagValueKind(commandId: string, flag: string): ValueKind {
  return COMMAND_ARG_KINDS[commandId]?.[`--${flag}`] ?? FLAG_KINDS[flag] ?? 'file';
}

export function argValueKind(commandId: string, arg: string): ValueKind {
  return COMMAND_ARG_KINDS[commandId]?.[arg] ?? ARG_KINDS[arg] ?? 'none';
}
