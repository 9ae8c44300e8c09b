import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { checkTarget } from '../access/resolve.js';
import { forwardStdio, startPortForwards, stdioPort } from '../access/port-forward-session.js';
import { parsePortSpecs } from '../access/port-spec.js';
import { waitForInterrupt } from '../access/interrupt.js';
import { ExitCode } from '../../shared/errors.js';

export default class PortForward extends BerthCommand {
  static override summary = 'Forward local ports to ports of a VM, through the Kubernetes API.';
  static override description = `Works like kubectl port-forward, but names a VM: each local connection travels over its own port-forward stream through the API server to the VM's pod, so no route to pod IPs is needed. The VM's launcher relays the pod's 127.0.0.1:22 (and the ports the VM was created with) to the guest.

Ports are REMOTE (same port locally), LOCAL:REMOTE, or :REMOTE (a free local port). Listens on 127.0.0.1 unless --address says otherwise; stays until Ctrl-C.

--stdio joins stdin/stdout to one connection to PORT; it is what \`kubectl berth ssh\` runs as its ssh ProxyCommand, and it lets plain ssh use the plugin from ~/.ssh/config:
  Host vm.*
    ProxyCommand kubectl berth port-forward --stdio %h %p`;
  static override usage = ['<%= command.id %> NAME[.NAMESPACE] [LOCAL:]REMOTE... [--address ADDRESS]', '<%= command.id %> --stdio NAME[.NAMESPACE] PORT'];
  static override examples = [
    '<%= config.bin %> <%= command.id %> web-1 8080:80',
    '<%= config.bin %> <%= command.id %> web-1 :5432 6379 -n team-a',
    '<%= config.bin %> <%= command.id %> --stdio web-1.team-a 22',
  ];
  static override strict = false;
  static override args = {
    name: Args.string({ required: true, description: 'The VM: NAME or NAME.NAMESPACE.' }),
    ports: Args.string({ description: 'One or more of PORT, LOCAL:REMOTE, :REMOTE (with --stdio: one PORT).' }),
  };
  static override flags = {
    address: Flags.string({ description: 'Local address to listen on.', default: '127.0.0.1', exclusive: ['stdio'] }),
    stdio: Flags.boolean({ description: 'Carry one connection to PORT over stdin/stdout (for ssh ProxyCommand).', default: false }),
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(PortForward);
    const ports = (argv as string[]).slice(1);
    checkTarget(args.name);
    if (flags.stdio) {
      const port = stdioPort(ports);
      await forwardStdio(await this.reader(flags), args.name, port);
      return;
    }
    const specs = parsePortSpecs(ports);
    const reader = await this.reader(flags);
    const interrupt = waitForInterrupt();
    const forwarding = await startPortForwards(reader, args.name, specs, flags.address, (line) => this.note(line));
    for (const { listener, remote } of forwarding.listeners) {
      process.stdout.write(`Forwarding from ${listener.address}:${listener.port} -> ${remote}\n`);
    }
    this.note('Press Ctrl-C to stop.');
    await interrupt.signal;
    await forwarding.close();
    this.exit(ExitCode.interrupted);
  }
}
