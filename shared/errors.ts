// The one error type of kubectl-berth: a user-facing message, a hint, a machine-readable code and
// the exit code scripts can rely on. oclif prints `message`, `code` and `suggestions` without a
// stack trace (stacks only with DEBUG=*).

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  cluster: 5,
  noKvm: 6,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type BerthErrorCode =
  | 'USAGE'
  | 'INVALID_NAME'
  | 'INVALID_VALUE'
  | 'NOT_FOUND'
  | 'VM_NOT_FOUND'
  | 'VM_NOT_RUNNING'
  | 'VM_PAUSED'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'CLUSTER_UNREACHABLE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'POD_REFUSED'
  | 'KUBECONFIG'
  | 'NO_KVM_NODE'
  | 'NO_NODE_FITS'
  | 'TUNNEL_REFUSED'
  | 'TOOL_MISSING'
  | 'TIMEOUT'
  | 'INTERRUPTED'
  | 'LAUNCHER'
  | 'AGENT'
  | 'INTERNAL';

const exitFor: Record<BerthErrorCode, ExitCodeValue> = {
  USAGE: ExitCode.usage,
  INVALID_NAME: ExitCode.usage,
  INVALID_VALUE: ExitCode.usage,
  NOT_FOUND: ExitCode.notFound,
  VM_NOT_FOUND: ExitCode.notFound,
  VM_NOT_RUNNING: ExitCode.conflict,
  // QEMU paused the guest on a disk error: the VM exists and runs, but cannot go on until its
  // volume has room (a state conflict, like a VM that is not running).
  VM_PAUSED: ExitCode.conflict,
  ALREADY_EXISTS: ExitCode.conflict,
  CONFLICT: ExitCode.conflict,
  CLUSTER_UNREACHABLE: ExitCode.cluster,
  UNAUTHORIZED: ExitCode.cluster,
  FORBIDDEN: ExitCode.cluster,
  // Admission (Pod Security, a ResourceQuota, a LimitRange, a webhook) refuses the VM's pod: the
  // cluster refuses, as with 403, whether create's dry run or --wait finds out.
  POD_REFUSED: ExitCode.cluster,
  KUBECONFIG: ExitCode.cluster,
  NO_KVM_NODE: ExitCode.noKvm,
  // Nodes to run it exist, but none is large enough: no place for the VM either way.
  NO_NODE_FITS: ExitCode.noKvm,
  TUNNEL_REFUSED: ExitCode.unexpected,
  TOOL_MISSING: ExitCode.unexpected,
  TIMEOUT: ExitCode.unexpected,
  INTERRUPTED: ExitCode.interrupted,
  LAUNCHER: ExitCode.unexpected,
  AGENT: ExitCode.unexpected,
  INTERNAL: ExitCode.unexpected,
};

export interface BerthErrorOptions {
  /** What to do about it; printed as "Try this:". */
  hint?: string | string[];
  /** Overrides the exit code derived from `code`. */
  exit?: ExitCodeValue;
}

export class BerthError extends Error {
  override name = 'Error';
  readonly code: BerthErrorCode;
  readonly suggestions: string[];
  readonly oclif: { exit: number };

  constructor(code: BerthErrorCode, message: string, options: BerthErrorOptions = {}) {
    super(message);
    this.code = code;
    const hint = options.hint ?? [];
    this.suggestions = Array.isArray(hint) ? hint : [hint];
    this.oclif = { exit: options.exit ?? exitFor[code] };
  }

  get exitCode(): number {
    return this.oclif.exit;
  }
}

export function isBerthError(error: unknown): error is BerthError {
  return error instanceof BerthError;
}

/** A usage error: bad flag value, missing argument, invalid name. Exit 2. */
export function usageError(message: string, hint?: string | string[]): BerthError {
  return new BerthError('USAGE', message, { hint });
}
