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
  | 'storage-class'
  /** Let the shell complete file names. */
  | 'file'
  /** A free value (a new name, a size, a duration): offer nothing. */
  | 'none';

/** Flags not listed here (and without fixed options) complete nothing. */
const FLAG_KINDS: Record<string, ValueKind> = {
  image: 'image',
  node: 'node',
  'node-selector': 'node-selector',
  namespace: 'namespace',
  context: 'context',
  'storage-class': 'storage-class',
  kubeconfig: 'file',
  'user-data': 'file',
  'vnc-password-file': 'file',
  'ssh-key': 'file',
  'identity-file': 'file',
  viewer: 'file',
};

/** Arguments not listed here complete nothing. */
const ARG_KINDS: Record<string, ValueKind> = {
  vm: 'vm',
  vms: 'vm',
  name: 'vm',
  names: 'vm',
  target: 'vm',
  destination: 'vm',
  image: 'image',
  node: 'node',
  file: 'file',
  path: 'file',
};

/** Exceptions by command id, then argument name or --flag. */
const COMMAND_KINDS: Record<string, Record<string, ValueKind>> = {
  // These name something that does not exist yet.
  create: { name: 'none', vm: 'none' },
  'images add': { name: 'none' },
  'images rm': { name: 'image' },
  scp: { paths: 'vm-path', source: 'vm-path', destination: 'vm-path' },
};

export function flagValueKind(commandId: string, flag: string): ValueKind {
  return COMMAND_KINDS[commandId]?.[`--${flag}`] ?? FLAG_KINDS[flag] ?? 'none';
}

export function argValueKind(commandId: string, arg: string): ValueKind {
  return COMMAND_KINDS[commandId]?.[arg] ?? ARG_KINDS[arg] ?? 'none';
}
