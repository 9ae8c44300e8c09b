// `console`: attach to the VM container's serial console until Ctrl-] or the cluster closes it.
import { runConsole, type ConsoleEnd } from '../access/console-session.js';
import { checkTarget } from '../access/resolve.js';
import type { OpIo } from './io.js';

export async function attachConsole(target: string, io: Pick<OpIo, 'connect' | 'note'>): Promise<ConsoleEnd> {
  checkTarget(target);
  const end = await runConsole(await io.connect(), target, io.note);
  io.note(end === 'remote-closed' ? '\r\nThe console was closed by the cluster (the VM stopped or its pod was replaced).' : '\r\nConsole closed.');
  return end;
}
