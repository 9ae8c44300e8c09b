import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../../base-command.js';
import { checkTarget } from '../../access/resolve.js';
import { waitForInterrupt } from '../../access/interrupt.js';
import { startVncSession } from '../../access/vnc-session.js';
import { parsePort } from '../../access/port-spec.js';
import { ExitCode } from '../../../shared/errors.js';

export default class VncPortForward extends BerthCommand {
  static override summary = "Serve a VM's VNC display on a local port, for any VNC viewer.";
  static override description = `Listens locally (127.0.0.1 and a free port by default) and forwards each viewer's connection through the Kubernetes API to the VM's VNC server, which the launcher keeps on the pod's loopback. Prints the vnc:// address on stdout and where the password is on stderr; several viewers may connect at once. Stays until Ctrl-C.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> web-1',
    '<%= config.bin %> <%= command.id %> web-1 --port 5901',
  ];
  static override args = {
    name: Args.string({ required: true, description: 'The VM: NAME or NAME.NAMESPACE.' }),
  };
  static override flags = {
    port: Flags.string({ description: 'Local port to listen on (default: a free one).' }),
    address: Flags.string({ description: 'Local address to listen on.', default: '127.0.0.1' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(VncPortForward);
    const port = flags.port === undefined ? 0 : parsePort(flags.port, '--port', true);
    checkTarget(args.name);
    const reader = await this.reader(flags);
    const interrupt = waitForInterrupt();
    const session = await startVncSession(reader, args.name, { address: flags.address, port }, (line) => this.note(line));
    process.stdout.write(`${session.url}\n`);
    this.note(`VNC of VM '${session.vm}' is at ${session.url}`);
    this.note(session.passwordNote);
    this.note('Press Ctrl-C to stop.');
    await interrupt.signal;
    await session.listener.close();
    this.exit(ExitCode.interrupted);
  }
}
