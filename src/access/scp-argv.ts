// `kubectl berth scp` operands: local paths and `[user@]NAME[.namespace]:path`, rewritten to the
// host name the ProxyCommand serves. scp's own rule decides what is remote: a ':' before any '/'.
import { usageError } from '../../shared/errors.js';
import { sshConnectionArgs, type SshConnection } from './ssh-argv.js';
import { parseTarget, sshHostName, type VmTarget } from './target.js';

export type ScpOperand = { kind: 'local'; path: string } | { kind: 'remote'; target: VmTarget; path: string };

export function parseScpOperand(raw: string): ScpOperand {
  const colon = raw.indexOf(':');
  const slash = raw.indexOf('/');
  if (colon <= 0 || (slash >= 0 && slash < colon)) return { kind: 'local', path: raw };
  return { kind: 'remote', target: parseTarget(raw.slice(0, colon)), path: raw.slice(colon + 1) };
}

export interface ScpPlan {
  operands: ScpOperand[];
  /** The one VM the copy involves. */
  vm: { name: string; namespace?: string };
}

/** Checks the operands: at least a source and a destination, and exactly one VM among them. */
export function planScp(raws: readonly string[]): ScpPlan {
  if (raws.length < 2) throw usageError('scp needs a source and a destination', 'e.g. kubectl berth scp ./file web-1:/tmp/');
  const operands = raws.map(parseScpOperand);
  const remotes = operands.filter((o): o is Extract<ScpOperand, { kind: 'remote' }> => o.kind === 'remote');
  if (remotes.length === 0) {
    throw usageError('no operand names a VM', "write the VM side as NAME:path (prefix local paths holding ':' with ./)");
  }
  const keys = new Set(remotes.map((r) => `${r.target.name}.${r.target.namespace ?? ''}`));
  if (keys.size > 1) throw usageError('scp copies to or from one VM at a time', 'copy in two steps through a local directory');
  const { name, namespace } = remotes[0].target;
  return { operands, vm: { name, ...(namespace !== undefined ? { namespace } : {}) } };
}

export interface ScpInvocation extends SshConnection {
  operands: readonly ScpOperand[];
  /** Applies to operands that name no user. */
  defaultUser?: string;
  recursive?: boolean;
  preserve?: boolean;
}

export function buildScpArgv(s: ScpInvocation): string[] {
  const host = sshHostName(s.name, s.namespace);
  const operand = (o: ScpOperand): string => {
    if (o.kind === 'local') return o.path;
    const user = o.target.user ?? s.defaultUser;
    return `${user ? `${user}@` : ''}${host}:${o.path}`;
  };
  return [...sshConnectionArgs(s), ...(s.recursive ? ['-r'] : []), ...(s.preserve ? ['-p'] : []), '--', ...s.operands.map(operand)];
}
