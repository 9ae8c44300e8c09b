// Which VNC viewer to start, in virtctl's order (kubevirt pkg/virtctl/vnc), plus TigerVNC >= 1.16's
// new macOS path and `open vnc://` as macOS's last resort. Pure: the file system comes in as functions.
import { basename } from 'node:path';
import { vncUrl } from './vnc.js';

export interface ViewerSystem {
  platform: NodeJS.Platform;
  /** Absolute path of an executable on PATH, or undefined. */
  which(command: string): string | undefined;
  exists(path: string): boolean;
  /** Entry names of a directory (empty when it does not exist). */
  list(dir: string): string[];
}

export interface ViewerLaunch {
  name: string;
  command: string;
  args: string[];
  /** False when the command hands the address to an app and returns at once (macOS `open`). */
  stays: boolean;
}

const MAC_APPS = '/Applications';

/** TigerVNC reads `host::port` as a port; a single colon would mean a display number below 100. */
function tigerAddress(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}::${port}`;
}

/** Viewers by name, as --viewer accepts them; each knows how to be handed the address. */
function launch(name: string, command: string, address: string, port: number): ViewerLaunch {
  switch (name) {
    case 'remote-viewer':
      return { name, command, args: [vncUrl(address, port)], stays: true };
    case 'realvnc':
      return { name, command, args: ['-WarnUnencrypted=0', '-Shared=0', '-ShareFiles=0', tigerAddress(address, port)], stays: true };
    case 'chicken':
      return { name, command, args: [`${address}:${port}`], stays: true };
    case 'open':
      return { name, command, args: [vncUrl(address, port)], stays: false };
    default:
      return { name: 'tigervnc', command, args: [tigerAddress(address, port)], stays: true };
  }
}

function macCandidates(system: ViewerSystem): Array<[string, string]> {
  const legacyTiger = system
    .list(MAC_APPS)
    .filter((entry) => entry.startsWith('TigerVNC Viewer ') && entry.endsWith('.app'))
    .sort()
    .map((entry) => `${MAC_APPS}/${entry}/Contents/MacOS/TigerVNC Viewer`);
  const found: Array<[string, string]> = [];
  const add = (name: string, path: string | undefined) => {
    if (path && system.exists(path)) found.push([name, path]);
  };
  add('tigervnc', `${MAC_APPS}/TigerVNC.app/Contents/MacOS/vncviewer`);
  add('tigervnc', legacyTiger.at(-1));
  add('chicken', `${MAC_APPS}/Chicken.app/Contents/MacOS/Chicken`);
  add('realvnc', `${MAC_APPS}/VNC Viewer.app/Contents/MacOS/vncviewer`);
  const rv = system.which('remote-viewer');
  if (rv) found.push(['remote-viewer', rv]);
  const open = system.which('open');
  if (open) found.push(['open', open]);
  return found;
}

function pathCandidates(system: ViewerSystem): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const rv = system.which('remote-viewer');
  if (rv) found.push(['remote-viewer', rv]);
  const tiger = system.which('vncviewer');
  if (tiger) found.push(['tigervnc', tiger]);
  return found;
}

/** Every usable viewer, best first. */
export function viewerCandidates(system: ViewerSystem, address: string, port: number): ViewerLaunch[] {
  const found = system.platform === 'darwin' ? macCandidates(system) : pathCandidates(system);
  return found.map(([name, command]) => launch(name, command, address, port));
}

/** A viewer the user named with --viewer: a path or a command on PATH; its kind follows its name. */
export function namedViewer(system: ViewerSystem, viewer: string, address: string, port: number): ViewerLaunch | undefined {
  const command = viewer.includes('/') ? (system.exists(viewer) ? viewer : undefined) : system.which(viewer);
  if (!command) return undefined;
  const base = basename(command).toLowerCase();
  const kind = base.includes('remote-viewer') ? 'remote-viewer' : base.includes('chicken') ? 'chicken' : base === 'open' ? 'open' : command.includes('VNC Viewer.app') ? 'realvnc' : 'tigervnc';
  return launch(kind, command, address, port);
}

/** What to install, for the hint when nothing is found. */
export function viewerInstallHint(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'install TigerVNC (brew install --cask tigervnc-viewer), or use --proxy-only and point any viewer at the printed address';
  return 'install remote-viewer (virt-viewer) or TigerVNC (vncviewer), or use --proxy-only and point any viewer at the printed address';
}
