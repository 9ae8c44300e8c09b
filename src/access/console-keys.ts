// The serial console's escape key and the banner that names it, as virtctl and telnet users expect.

/** Ctrl-] (0x1d): ends `kubectl berth console`; every other byte goes to the guest. */
export const CONSOLE_ESCAPE = 0x1d;

export function consoleBanner(vm: string, namespace: string): string {
  return `Connected to the serial console of VM '${vm}' (namespace ${namespace}). Press Ctrl-] to exit.`;
}

/** Splits input at the escape key: the bytes before it go to the guest; `escaped` ends the session. */
export function splitAtEscape(chunk: Buffer): { forward: Buffer; escaped: boolean } {
  const at = chunk.indexOf(CONSOLE_ESCAPE);
  return at < 0 ? { forward: chunk, escaped: false } : { forward: chunk.subarray(0, at), escaped: true };
}
