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

export interface ConsoleAttach {
  /** Attach as a terminal: only for a container that has one. */
  tty: boolean;
  /** Said before the session, when the console will not carry the serial port alone. */
  note?: string;
}

/**
 * How to attach to the VM container. Without a tty (VMs from this plugin on) the attach stream
 * keeps the serial console (stdout) apart from the launcher's log (stderr), and the session asks
 * for stdout only: the log stays in `kubectl logs`. A VM made by an older plugin has `tty: true`,
 * where the two arrive merged in one stream; it still attaches, with a note saying why log lines
 * show up and how to separate them (the patch rolls the pod, so the guest restarts).
 */
export function consoleAttach(vm: string, namespace: string, container: { tty?: boolean }): ConsoleAttach {
  if (!container.tty) return { tty: false };
  const patch = `[{"op":"replace","path":"/spec/template/spec/containers/0/tty","value":false}]`;
  return {
    tty: true,
    note:
      `VM '${vm}' was created with a terminal on its container (by an older kubectl-berth), so the launcher's log lines appear in this console. ` +
      `To separate them, which restarts the VM: kubectl patch statefulset ${vm} -n ${namespace} --type json -p '${patch}'`,
  };
}
