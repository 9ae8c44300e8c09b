import assert from 'node:assert/strict';
import { chooseViewer } from '../../../../src/access/viewer-launch.js';
import { namedViewer, viewerCandidates, type ViewerSystem } from '../../../../src/access/viewer.js';
import { BerthError } from '../../../../shared/errors.js';

function system(platform: NodeJS.Platform, onPath: Record<string, string>, files: string[] = [], apps: string[] = []): ViewerSystem {
  return { platform, which: (c) => onPath[c], exists: (p) => files.includes(p), list: (d) => (d === '/Applications' ? apps : []) };
}

const names = (s: ViewerSystem) => viewerCandidates(s, '127.0.0.1', 40123).map((v) => [v.name, v.command, ...v.args]);

describe('access: VNC viewer detection', () => {
  it('Linux: remote-viewer with a vnc:// URL, then TigerVNC with host::port', () => {
    assert.deepEqual(names(system('linux', { 'remote-viewer': '/usr/bin/remote-viewer', vncviewer: '/usr/bin/vncviewer' })), [
      ['remote-viewer', '/usr/bin/remote-viewer', 'vnc://127.0.0.1:40123'],
      ['tigervnc', '/usr/bin/vncviewer', '127.0.0.1::40123'],
    ]);
    assert.deepEqual(names(system('linux', { vncviewer: '/usr/bin/vncviewer' })), [['tigervnc', '/usr/bin/vncviewer', '127.0.0.1::40123']]);
    assert.deepEqual(names(system('linux', {})), []);
  });

  it('macOS: TigerVNC >= 1.16, legacy TigerVNC (last version), Chicken, RealVNC, remote-viewer, then open', () => {
    const files = [
      '/Applications/TigerVNC.app/Contents/MacOS/vncviewer',
      '/Applications/TigerVNC Viewer 1.13.1.app/Contents/MacOS/TigerVNC Viewer',
      '/Applications/TigerVNC Viewer 1.12.0.app/Contents/MacOS/TigerVNC Viewer',
      '/Applications/Chicken.app/Contents/MacOS/Chicken',
      '/Applications/VNC Viewer.app/Contents/MacOS/vncviewer',
    ];
    const apps = ['TigerVNC Viewer 1.12.0.app', 'Safari.app', 'TigerVNC Viewer 1.13.1.app'];
    const mac = system('darwin', { 'remote-viewer': '/opt/homebrew/bin/remote-viewer', open: '/usr/bin/open' }, files, apps);
    assert.deepEqual(names(mac), [
      ['tigervnc', '/Applications/TigerVNC.app/Contents/MacOS/vncviewer', '127.0.0.1::40123'],
      ['tigervnc', '/Applications/TigerVNC Viewer 1.13.1.app/Contents/MacOS/TigerVNC Viewer', '127.0.0.1::40123'],
      ['chicken', '/Applications/Chicken.app/Contents/MacOS/Chicken', '127.0.0.1:40123'],
      ['realvnc', '/Applications/VNC Viewer.app/Contents/MacOS/vncviewer', '-WarnUnencrypted=0', '-Shared=0', '-ShareFiles=0', '127.0.0.1::40123'],
      ['remote-viewer', '/opt/homebrew/bin/remote-viewer', 'vnc://127.0.0.1:40123'],
      ['open', '/usr/bin/open', 'vnc://127.0.0.1:40123'],
    ]);
    const onlyOpen = viewerCandidates(system('darwin', { open: '/usr/bin/open' }), '127.0.0.1', 5);
    assert.equal(onlyOpen[0].stays, false, '`open` returns at once; the forward must stay until Ctrl-C');
  });

  it('--viewer takes a path or a command on PATH and infers how to pass the address', () => {
    const s = system('linux', { 'remote-viewer': '/usr/bin/remote-viewer' }, ['/opt/tiger/bin/vncviewer']);
    assert.deepEqual(namedViewer(s, '/opt/tiger/bin/vncviewer', '::1', 7)?.args, ['[::1]::7']);
    assert.deepEqual(namedViewer(s, 'remote-viewer', '127.0.0.1', 7)?.args, ['vnc://127.0.0.1:7']);
    assert.equal(namedViewer(s, '/nope', '127.0.0.1', 7), undefined);
  });

  it('no viewer at all is TOOL_MISSING with an install hint that mentions --proxy-only', () => {
    assert.throws(
      () => chooseViewer(system('linux', {}), undefined, '127.0.0.1', 1),
      (e: unknown) => e instanceof BerthError && e.code === 'TOOL_MISSING' && e.suggestions.some((s) => s.includes('--proxy-only')),
    );
    assert.throws(() => chooseViewer(system('linux', {}), 'xvnc', '127.0.0.1', 1), (e: unknown) => e instanceof BerthError && /'xvnc' was not found/.test(e.message));
  });
});
