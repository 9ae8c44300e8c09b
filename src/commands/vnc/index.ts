import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../../base-command.js';
import { openVnc } from '../../ops/vnc.js';
import { checkWebFlags, openVncWeb } from '../../ops/vnc-web.js';
import { printer } from '../../output/print.js';

export default class Vnc extends BerthCommand {
  static override summary = "Open a VM's VNC display in a local viewer, or in your browser with --web.";
  static override description = `Forwards a local port (127.0.0.1) to the VM's VNC server through the Kubernetes API and starts a viewer found on this machine: remote-viewer, then TigerVNC's vncviewer (on macOS: TigerVNC.app, Chicken, RealVNC, remote-viewer, then \`open vnc://…\`). Ends when the viewer closes.

--web needs no viewer: it serves a page with noVNC on 127.0.0.1 and a free port, opens it in your browser (unless --no-browser) and prints its URL on stdout. The URL carries a random token made for this run; without it the server answers nothing. The page asks for the password of a password-protected display, has buttons for Ctrl-Alt-Del and for typing pasted text, and reconnects by itself when the tunnel breaks. Stays until Ctrl-C.

--proxy-only starts no viewer: it prints {"address":…,"port":…} on stdout for scripts and waits until Ctrl-C.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> web-1',
    '<%= config.bin %> <%= command.id %> web-1 --web',
    '<%= config.bin %> <%= command.id %> web-1 --web --no-browser',
    '<%= config.bin %> <%= command.id %> web-1 --viewer /opt/TigerVNC/bin/vncviewer',
    '<%= config.bin %> <%= command.id %> web-1 --proxy-only --port 5901',
  ];
  static override args = {
    name: Args.string({ required: true, description: 'The VM: NAME or NAME.NAMESPACE.' }),
  };
  static override flags = {
    web: Flags.boolean({ description: 'Serve the display as a web page (noVNC) and open it in your browser.', default: false }),
    browser: Flags.boolean({ description: 'With --web: open the page in your browser (--no-browser only prints its URL).', default: true, allowNo: true }),
    'proxy-only': Flags.boolean({ description: 'Start no viewer; print the address as JSON and wait.', default: false }),
    port: Flags.string({ description: 'Local port to listen on (default: a free one).' }),
    address: Flags.string({ description: 'Local address to listen on (only with --proxy-only; a viewer always gets 127.0.0.1); beyond loopback only with --insecure-address.', default: '127.0.0.1' }),
    'insecure-address': Flags.boolean({ description: "Allow an --address beyond loopback: anyone who reaches it gets the VM's display, unauthenticated.", default: false }),
    viewer: Flags.string({ description: 'The viewer to start: a path or a command on PATH.', exclusive: ['proxy-only'] }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Vnc);
    const io = { reader: () => this.reader(flags), note: (m: string) => this.note(m), print: printer(undefined) };
    checkWebFlags({ web: flags.web, browser: flags.browser, proxyOnly: flags['proxy-only'], address: flags.address, viewer: flags.viewer });
    const code = flags.web
      ? await openVncWeb({ target: args.name, port: flags.port, browser: flags.browser }, io)
      : await openVnc({ target: args.name, proxyOnly: flags['proxy-only'], port: flags.port, address: flags.address, insecureAddress: flags['insecure-address'], viewer: flags.viewer }, io);
    if (code !== 0) this.exit(code);
  }
}
