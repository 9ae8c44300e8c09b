// `port-forward`: listen on local ports and carry each connection to the VM's pod until Ctrl-C;
// with --stdio, carry one connection over stdin/stdout (ssh's ProxyCommand).
import { ExitCode } from '../../shared/errors.js';
import { waitForInterrupt } from '../access/interrupt.js';
import { forwardStdio, startPortForwards, stdioPort } from '../access/port-forward-session.js';
import { parsePortSpecs } from '../access/port-spec.js';
import { checkTarget } from '../access/resolve.js';
import type { AccessIo } from './io.js';

export interface PortForwardRequest {
  /** The VM: NAME or NAME.NAMESPACE. */
  target: string;
  /** As typed: PORT, LOCAL:REMOTE or :REMOTE (one PORT with --stdio). */
  ports: string[];
  address: string;
  stdio: boolean;
}

/** Returns the exit code: 0 when --stdio's connection ends, 130 after Ctrl-C. */
export async function portForward(request: PortForwardRequest, io: AccessIo): Promise<number> {
  checkTarget(request.target);
  if (request.stdio) {
    const port = stdioPort(request.ports);
    await forwardStdio(await io.reader(), request.target, port);
    return 0;
  }
  const specs = parsePortSpecs(request.ports);
  const reader = await io.reader();
  const interrupt = waitForInterrupt();
  const forwarding = await startPortForwards(reader, request.target, specs, request.address, io.note);
  const lines = forwarding.listeners.map(({ listener, remote }) => `Forwarding from ${listener.address}:${listener.port} -> ${remote}\n`);
  io.print({ text: () => lines.join('') });
  io.note('Press Ctrl-C to stop.');
  await interrupt.signal;
  await forwarding.close();
  return ExitCode.interrupted;
}
