// IPv4 arithmetic for the VM's private /30: parsing, membership and the addresses inside it.

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

/** The network address of `ip` in a /prefix. */
export function networkOf(ip: number, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return Math.floor(ip / size) * size;
}

export function inSubnet(ip: number, network: number, prefix: number): boolean {
  return networkOf(ip, prefix) === networkOf(network, prefix);
}

export const VM_PREFIX = 30;
export const VM_NETMASK = '255.255.255.252';

/** Why gateway and VM address cannot form the VM's /30, or undefined when they can. */
export function slash30Problem(gateway: number, vm: number): string | undefined {
  if (gateway === vm) return 'the VM address and its gateway are the same';
  if (!inSubnet(gateway, vm, VM_PREFIX)) return 'the VM address and its gateway are not in one /30';
  const network = networkOf(vm, VM_PREFIX);
  for (const [label, ip] of [['VM address', vm], ['gateway', gateway]] as const) {
    if (ip === network) return `the ${label} is the network address of its /30`;
    if (ip === network + 3) return `the ${label} is the broadcast address of its /30`;
  }
  return undefined;
}
