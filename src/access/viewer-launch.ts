// Choosing and starting the VNC viewer: the user's --viewer, else the first one found.
import { BerthError } from '../../shared/errors.js';
import { namedViewer, viewerCandidates, viewerInstallHint, type ViewerLaunch, type ViewerSystem } from './viewer.js';

export function chooseViewer(system: ViewerSystem, requested: string | undefined, address: string, port: number): ViewerLaunch {
  if (requested) {
    const viewer = namedViewer(system, requested, address, port);
    if (!viewer) throw new BerthError('TOOL_MISSING', `VNC viewer '${requested}' was not found`, { hint: 'give a path to the viewer, or a command on PATH' });
    return viewer;
  }
  const [best] = viewerCandidates(system, address, port);
  if (!best) throw new BerthError('TOOL_MISSING', 'no VNC viewer was found on this machine', { hint: viewerInstallHint(system.platform) });
  return best;
}

/** Runs the viewer detached from our stdin and returns its exit code. */
export async function runViewer(viewer: ViewerLaunch): Promise<number> {
  const { execa } = await import('execa');
  const result = await execa(viewer.command, viewer.args, { stdin: 'ignore', stdout: 'inherit', stderr: 'inherit', reject: false });
  if (result.failed && result.exitCode === undefined && !result.signal) {
    throw new BerthError('TOOL_MISSING', `could not start ${viewer.command}: ${result.shortMessage}`, { hint: 'pass another viewer with --viewer, or use --proxy-only' });
  }
  return result.exitCode ?? 1;
}
