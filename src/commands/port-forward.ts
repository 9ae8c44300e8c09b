import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { portForward } from '../ops/port-forward.js';
import { printer } from '../output/print.js';

export default class PortForward extends BerthCommand {
  static override summary = 'Forward local ports to ports of a VM, through the Kubernetes API.';
  static override description = `Works like kubectl port-forward, but names a VM: each local connection travels over its own port-forward stream through the API server to the VM's pod, so no route to pod IPs is needed. The VM's launcher relays the pod's 127.0.0.1:22 (and the ports the VM was created with) to the guest.

Ports are REMOTE (same port locally), LOCAL:REMOTE, or :REMOTE (a free local port). Listens on 127.0.0.1 unless --address says otherwise; stays until Ctrl-C.

--stdio joins stdin/stdout to one connection to PORT; it is what \`kubectl berth ssh\` runs as its ssh ProxyCommand. Plain ssh can use the plugin the same way: in ~/.ssh/config, put \`ProxyCommand kubectl berth port-forward --stdio %h %p\` under a \`Host vm.*\` line.`;
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
    const request = { target: args.name, ports: (argv as string[]).slice(1), address: flags.address, stdio: flags.stdio };
    const code = await portForward(request, { reader: () => this.reader(flags), note: (m) => this.note(m), print: printer(undefined) });
    if (code !== 0) this.exit(code);
  }
}
