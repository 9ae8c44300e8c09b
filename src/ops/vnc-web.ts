// `vnc --web`: serve the VM's display as a page with noVNC on 127.0.0.1 and open it in the user's
// browser, until Ctrl-C.
import { ExitCode, usageError } from '../../shared/errors.js';
import { waitForInterrupt } from '../access/interrupt.js';
import { parsePort } from '../access/port-spec.js';
import { checkTarget } from '../access/resolve.js';
import { loadAssets, newToken, serveWebConsole, webAssetsDir } from '../access/vnc-web.js';
import { resolveVncTarget, tunnelErrorLine } from '../access/vnc-session.js';
import type { AccessIo } from './io.js';

export interface VncWebRequest {
  target: string;
  /** --port as typed; a free port when absent. */
  port?: string;
  browser: boolean;
}

/** Opens `url` in the user's browser; resolves with a reason when it could not. */
export type BrowserOpener = (url: string) => Promise<string | undefined>;

/** The `open` package: xdg-open, open or start, whichever this system has. */
export const openBrowser: BrowserOpener = async (url) => {
  const { default: open } = await import('open');
  try {
    // Resolves once xdg-open (or its kin) has started, rejects when there is none.
    await open(url);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

/** Returns 130, after Ctrl-C. */
export async function openVncWeb(request: VncWebRequest, io: AccessIo, browser: BrowserOpener = openBrowser): Promise<number> {
  const port = request.port === undefined ? 0 : parsePort(request.port, '--port', true);
  checkTarget(request.target);
  const reader = await io.reader();
  const interrupt = waitForInterrupt();
  const target = await resolveVncTarget(reader, request.target);
  const web = await serveWebConsole({
    assets: loadAssets(webAssetsDir(), `${target.vm}.${target.namespace}`),
    token: newToken(),
    port,
    openTunnel: (local) => target.open(local),
    onTunnelError: (error) => io.note(tunnelErrorLine(error)),
  });
  // stdout: the URL alone, for scripts; it carries the token, so share it with no one.
  io.print({ text: () => `${web.url}\n` });
  io.note(`The display of VM '${target.vm}' is served at ${web.url} (only this machine, only with this URL).`);
  if (target.mode === 'password') io.note('The page asks for the VNC password; ' + target.passwordNote);
  if (request.browser) {
    const problem = await browser(web.url);
    io.note(problem ? `Could not open a browser (${problem}); open the URL above yourself.` : 'Asked this system to open it in your browser (if none opens, open the URL yourself).');
  }
  io.note('Press Ctrl-C to stop.');
  await interrupt.signal;
  await web.close();
  interrupt.dispose();
  return ExitCode.interrupted;
}

/** --web's flags that make no sense together. Pure. */
export function checkWebFlags(flags: { web: boolean; browser: boolean; proxyOnly: boolean; address: string; viewer?: string }): void {
  if (!flags.web) {
    if (!flags.browser) throw usageError('--no-browser needs --web', 'kubectl berth vnc NAME --web --no-browser serves the page and only prints its URL');
    return;
  }
  if (flags.proxyOnly) throw usageError('--web and --proxy-only exclude each other', 'use one: a page in the browser, or an address for a viewer');
  if (flags.viewer !== undefined) throw usageError('--web and --viewer exclude each other', 'the page is the viewer');
  if (flags.address !== '127.0.0.1') throw usageError('--web listens on 127.0.0.1 only', 'leave --address out; the page is for this machine');
}
