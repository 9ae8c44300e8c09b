// `vnc`: forward a local port to the VM's VNC server and run a viewer on it until the viewer
// closes (or Ctrl-C); with --proxy-only, print the address for a script and forward until Ctrl-C.
import { ExitCode, usageError } from '../../shared/errors.js';
import { waitForInterrupt } from '../access/interrupt.js';
import { hostViewerSystem } from '../access/local-tools.js';
import { parsePort } from '../access/port-spec.js';
import { checkTarget } from '../access/resolve.js';
import { chooseViewer, runViewer } from '../access/viewer-launch.js';
import { checkVncAddress, proxyOnlyJson } from '../access/vnc.js';
import { startVncSession } from '../access/vnc-session.js';
import type { AccessIo } from './io.js';

export interface VncRequest {
  /** The VM: NAME or NAME.NAMESPACE. */
  target: string;
  proxyOnly: boolean;
  /** --port as typed; a free port when absent. */
  port?: string;
  address: string;
  /** --insecure-address: the user confirmed a non-loopback --address. */
  insecureAddress: boolean;
  viewer?: string;
}

/** Returns the exit code: 0 when the viewer closed normally, the viewer's code, or 130 after Ctrl-C. */
export async function openVnc(request: VncRequest, io: AccessIo): Promise<number> {
  const port = request.port === undefined ? 0 : parsePort(request.port, '--port', true);
  if (!request.proxyOnly && request.address !== '127.0.0.1') {
    throw usageError('--address needs --proxy-only', 'a viewer started here connects to 127.0.0.1; to listen elsewhere, use --proxy-only');
  }
  checkVncAddress(request.address, request.insecureAddress);
  const system = hostViewerSystem();
  // Find the viewer before touching the cluster: a missing viewer should fail at once.
  if (!request.proxyOnly) chooseViewer(system, request.viewer, '127.0.0.1', 5900);
  checkTarget(request.target);
  const reader = await io.reader();
  const interrupt = waitForInterrupt();
  const session = await startVncSession(reader, request.target, { address: request.address, port }, io.note);
  io.note(`VNC of VM '${session.vm}' is at ${session.url}`);
  io.note(session.passwordNote);
  if (request.proxyOnly) {
    io.print({ text: () => `${proxyOnlyJson(session.listener.address, session.listener.port)}\n` });
    await interrupt.signal;
    await session.listener.close();
    return ExitCode.interrupted;
  }
  const viewer = chooseViewer(system, request.viewer, session.listener.address, session.listener.port);
  io.note(`Starting ${viewer.name}: ${viewer.command}`);
  const outcome = await Promise.race([runViewer(viewer).then((code) => ({ code })), interrupt.signal.then(() => ({ code: ExitCode.interrupted }))]);
  if (!viewer.stays && outcome.code === 0) {
    io.note('The viewer runs on its own; press Ctrl-C to stop forwarding.');
    await interrupt.signal;
    outcome.code = ExitCode.interrupted;
  }
  await session.listener.close();
  interrupt.dispose();
  if (outcome.code !== 0 && outcome.code !== ExitCode.interrupted) io.note(`${viewer.name} exited with code ${outcome.code}`);
  return outcome.code;
}
