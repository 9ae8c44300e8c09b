// `vnc port-forward`: serve the VM's VNC display on a local port for any viewer, until Ctrl-C.
import { ExitCode } from '../../shared/errors.js';
import { waitForInterrupt } from '../access/interrupt.js';
import { parsePort } from '../access/port-spec.js';
import { checkTarget } from '../access/resolve.js';
import { startVncSession } from '../access/vnc-session.js';
import { checkVncAddress } from '../access/vnc.js';
import type { AccessIo } from './io.js';

export interface VncForwardRequest {
  /** The VM: NAME or NAME.NAMESPACE. */
  target: string;
  /** --port as typed; a free port when absent. */
  port?: string;
  address: string;
  /** --insecure-address: the user confirmed a non-loopback --address. */
  insecureAddress: boolean;
}

/** Returns the exit code: 130, after Ctrl-C. */
export async function forwardVnc(request: VncForwardRequest, io: AccessIo): Promise<number> {
  const port = request.port === undefined ? 0 : parsePort(request.port, '--port', true);
  checkVncAddress(request.address, request.insecureAddress);
  checkTarget(request.target);
  const reader = await io.reader();
  const interrupt = waitForInterrupt();
  const session = await startVncSession(reader, request.target, { address: request.address, port }, io.note);
  io.print({ text: () => `${session.url}\n` });
  io.note(`VNC of VM '${session.vm}' is at ${session.url}`);
  io.note(session.passwordNote);
  io.note('Press Ctrl-C to stop.');
  await interrupt.signal;
  await session.listener.close();
  return ExitCode.interrupted;
}
