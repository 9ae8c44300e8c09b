import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../../base-command.js';
import { forwardVnc } from '../../ops/vnc-port-forward.js';
import { printer } from '../../output/print.js';

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
    address: Flags.string({ description: 'Local address to listen on; beyond loopback only with --insecure-address.', default: '127.0.0.1' }),
    'insecure-address': Flags.boolean({ description: "Allow an --address beyond loopback: anyone who reaches it gets the VM's display, unauthenticated.", default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(VncPortForward);
    const request = { target: args.name, port: flags.port, address: flags.address, insecureAddress: flags['insecure-address'] };
    this.exit(await forwardVnc(request, { reader: () => this.reader(flags), note: (m) => this.note(m), print: printer(undefined) }));
  }
}
