// VNC through the plugin, as a viewer reaches it: `kubectl berth vnc port-forward` and the RFB
// banner QEMU answers with on the far end.
import { eventually } from './eventually.js';
import { berthBackground } from './plugin.js';
import { readBanner } from './ports.js';

/**
 * Opens `kubectl berth vnc port-forward`, connects once, reads QEMU's first 12 bytes (the RFB
 * banner) and leaves: QEMU reports VNC_CONNECTED, then VNC_DISCONNECTED, which the launcher logs.
 */
export async function vncBanner(vm: string, namespace: string): Promise<string> {
  const pf = berthBackground(['vnc', 'port-forward', vm, '-n', namespace]);
  try {
    const url = await eventually('the vnc:// address on stdout', 60_000, () => /vnc:\/\/[^\s]+/.exec(pf.out())?.[0]);
    const { hostname, port } = new URL(url);
    return await readBanner(Number(port), 12, hostname);
  } finally {
    pf.proc.kill('SIGINT');
    await pf.proc;
  }
}
