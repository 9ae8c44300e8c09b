// What a user types to name a VM to reach: `[user@]name[.namespace]`, also `vm/name`, `vm/name/ns`
// and the host alias `vm.name.ns` that ssh hands back to a ProxyCommand written in ~/.ssh/config.
import { BerthError, usageError } from '../../shared/errors.js';
import { vmNameProblem } from '../core/names.js';

export interface VmTarget {
  user?: string;
  name: string;
  /** Only when the target spelled it; otherwise the connection's namespace applies. */
  namespace?: string;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/;

/** Parses `[user@]name[.namespace]` (and the vm/… and vm.name.ns forms). Throws INVALID_NAME. */
export function parseTarget(raw: string): VmTarget {
  let rest = raw;
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER.test(user)) {
      throw new BerthError('INVALID_NAME', `'${user}' in '${raw}' is not a valid user name`, { hint: 'write the target as [user@]name[.namespace], e.g. root@web-1' });
    }
  }
  let parts: string[];
  if (rest.startsWith('vm/')) {
    parts = rest.slice(3).split(rest.slice(3).includes('/') ? '/' : '.');
  } else {
    parts = rest.split('.');
    if (parts.length === 3 && parts[0] === 'vm') parts = parts.slice(1);
  }
  if (parts.length > 2) {
    throw new BerthError('INVALID_NAME', `'${raw}' has too many parts for [user@]name[.namespace]`, {
      hint: 'VM names and namespaces contain no dots: write e.g. web-1.team-a',
    });
  }
  const [name, namespace] = parts;
  const problem = vmNameProblem(name);
  if (problem) throw new BerthError('INVALID_NAME', problem, { hint: 'write the target as [user@]name[.namespace], e.g. root@web-1.default' });
  if (namespace !== undefined && (!NAMESPACE.test(namespace) || namespace.length > 63)) {
    throw new BerthError('INVALID_NAME', `'${namespace}' in '${raw}' is not a valid namespace name`, { hint: 'namespaces are lower-case letters, digits and dashes' });
  }
  return { ...(user !== undefined ? { user } : {}), name, ...(namespace !== undefined ? { namespace } : {}) };
}

/**
 * The namespace to use: the one in the target, else the connection's. A target namespace that
 * contradicts an explicit -n is a usage error rather than a silent choice.
 */
export function targetNamespace(target: VmTarget, connection: { namespace: string; namespaceWasSet: boolean }): string {
  if (target.namespace === undefined) return connection.namespace;
  if (connection.namespaceWasSet && connection.namespace !== target.namespace) {
    throw usageError(
      `the target says namespace '${target.namespace}' but -n says '${connection.namespace}'`,
      'give the namespace once: either name.namespace or -n namespace',
    );
  }
  return target.namespace;
}

/** The name ssh and scp connect to: dotted, because scp reads a '/' before ':' as a local path. */
export function sshHostName(name: string, namespace: string): string {
  return `vm.${name}.${namespace}`;
}

/** The name the host key is filed under in our known_hosts. */
export function hostKeyAlias(name: string, namespace: string): string {
  return `vm/${name}.${namespace}`;
}

/** The login user: from `user@` in the target or from -l; both and different is a usage error. */
export function loginUser(fromTarget: string | undefined, fromFlag: string | undefined): string | undefined {
  if (fromTarget !== undefined && fromFlag !== undefined && fromTarget !== fromFlag) {
    throw usageError(`the target says user '${fromTarget}' but -l says '${fromFlag}'`, 'give the user once: user@NAME or -l user');
  }
  return fromTarget ?? fromFlag;
}
