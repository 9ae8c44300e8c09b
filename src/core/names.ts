// VM names and the object names derived from them. A VM name becomes a StatefulSet name, a pod
// name (`<name>-0`), a pod hostname and label values, so it must satisfy the tightest of those.
import { BerthError } from '../../shared/errors.js';

/**
 * The longest VM name. A StatefulSet stamps its pods with the label
 * `controller-revision-hash=<name>-<hash>`, where the hash has up to 10 characters, and label values
 * stop at 63; names above 52 create a StatefulSet whose pods are rejected (kubernetes#64023).
 */
export const MAX_VM_NAME_LENGTH = 52;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The reason `name` is not a valid VM name, or undefined when it is valid. Pure. */
export function vmNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a VM name must not be empty';
  if (name.length > MAX_VM_NAME_LENGTH) {
    return `VM name '${name}' is ${name.length} characters long; the limit is ${MAX_VM_NAME_LENGTH} (the StatefulSet's pods carry a label of the name plus 11 characters, and labels stop at 63)`;
  }
  if (/[A-Z]/.test(name)) return `VM name '${name}' contains upper-case letters; use lower case only`;
  if (name.startsWith('-') || name.endsWith('-')) return `VM name '${name}' must start and end with a letter or digit`;
  if (!DNS_LABEL.test(name)) {
    const bad = [...new Set([...name].filter((c) => !/[-a-z0-9]/.test(c)))].map((c) => `'${c}'`).join(', ');
    return `VM name '${name}' contains ${bad}; use lower-case letters, digits and '-' only (an RFC 1123 label)`;
  }
  return undefined;
}

/** Throws INVALID_NAME (exit 2) for an invalid VM name. Accepts kubectl's `vm/NAME` form. */
export function checkVmName(raw: string): string {
  const name = raw.startsWith('vm/') ? raw.slice(3) : raw;
  const problem = vmNameProblem(name);
  if (problem) {
    throw new BerthError('INVALID_NAME', problem, { hint: 'e.g. web-1: lower-case letters, digits and dashes, at most 52 characters' });
  }
  return name;
}

/** The single pod of a VM's StatefulSet. */
export function vmPodName(vm: string): string {
  return `${vm}-0`;
}

export function cloudInitSecretName(vm: string): string {
  return `${vm}-cloudinit`;
}

// The disk's claim names are the launcher's too: they live in the contract.
export { DISK_CLAIM_TEMPLATE, diskPvcName } from '../../shared/contract.js';
