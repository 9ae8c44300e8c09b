import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../../base-command.js';
import { checkTarget } from '../../access/resolve.js';
import { waitForInterrupt } from '../../access/interrupt.js';
import { hostViewerSystem } from '../../access/local-tools.js';
import { parsePort } from '../../access/port-spec.js';
import { proxyOnlyJson } from '../../access/vnc.js';
import { startVncSession } from '../../access/vnc-session.js';
import { chooseViewer, runViewer } from '../../access/viewer-launch.js';
import { ExitCode, usageError } from '../../../shared/errors.js';

export default class Vnc extends BerthCommand {
  static override summary = "Open a VM's VNC display in a local viewer.";
  static override description = `Forwards a local port (127.0.0.1) to the VM's VNC server through the Kubernetes API and starts a viewer found on this machine: remote-viewer, then TigerVNC's vncviewer (on macOS: TigerVNC.app, Chicken, RealVNC, remote-viewer, then \`open vnc://…\`). Ends when the viewer closes.

--proxy-only starts no viewer: it prints {"address":…,"port":…} on stdout for scripts and waits until Ctrl-C.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> web-1',
    '<%= config.bin %> <%= command.id %> web-1 --viewer /opt/TigerVNC/bin/vncviewer',
    '<%= config.bin %> <%= command.id %> web-1 --proxy-only --port 5901',
  ];
  static override args = {
    name: Args.string({ required: true, description: 'The VM: NAME or NAME.NAMESPACE.' }),
  };
  static override flags = {
    'proxy-only': Flags.boolean({ description: 'Start no viewer; print the address as JSON and wait.', default: false }),
    port: Flags.string({ description: 'Local port to listen on (default: a free one).' }),
    address: Flags.string({ description: 'Local address to listen on (only with --proxy-only; a viewer always gets 127.0.0.1).', default: '127.0.0.1' }),
    viewer: Flags.string({ description: 'The viewer to start: a path or a command on PATH.', exclusive: ['proxy-only'] }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Vnc);
    const port = flags.port === undefined ? 0 : parsePort(flags.port, '--port', true);
    if (!flags['proxy-only'] && flags.address !== '127.0.0.1') {
      throw usageError('--address needs --proxy-only', 'a viewer started here connects to 127.0.0.1; to listen elsewhere, use --proxy-only');
    }
    const system = hostViewerSystem();
    // Find the viewer before touching the cluster: a missing viewer should fail at once.
    if (!flags['proxy-only']) chooseViewer(system, flags.viewer, '127.0.0.1', 5900);
    checkTarget(args.name);
    const reader = await this.reader(flags);
    const interrupt = waitForInterrupt();
    const session = await startVncSession(reader, args.name, { address: flags.address, port }, (line) => this.note(line));
    this.note(`VNC of VM '${session.vm}' is at ${session.url}`);
    this.note(session.passwordNote);
    if (flags['proxy-only']) {
      process.stdout.write(`${proxyOnlyJson(session.listener.address, session.listener.port)}\n`);
      await interrupt.signal;
      await session.listener.close();
      this.exit(ExitCode.interrupted);
    }
    const viewer = chooseViewer(system, flags.viewer, session.listener.address, session.listener.port);
    this.note(`Starting ${viewer.name}: ${viewer.command}`);
    const outcome = await Promise.race([runViewer(viewer).then((code) => ({ code })), interrupt.signal.then(() => ({ code: ExitCode.interrupted }))]);
    if (!viewer.stays && outcome.code === 0) {
      this.note('The viewer runs on its own; press Ctrl-C to stop forwarding.');
      await interrupt.signal;
      outcome.code = ExitCode.interrupted;
    }
    await session.listener.close();
    interrupt.dispose();
    if (outcome.code !== 0) {
      if (outcome.code !== ExitCode.interrupted) this.note(`${viewer.name} exited with code ${outcome.code}`);
      this.exit(outcome.code);
    }
  }
}
