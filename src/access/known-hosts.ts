// Host keys of VMs are filed per cluster in a known_hosts of our own, so two clusters with a VM of
// the same name never trip ssh's "host key changed" alarm, and ~/.ssh/known_hosts stays untouched.
import { join } from 'node:path';

/** $XDG_CACHE_HOME, else ~/.cache. */
export function cacheHome(env: NodeJS.ProcessEnv, home: string): string {
  return env.XDG_CACHE_HOME || join(home, '.cache');
}

/** A cluster name as a file name: anything outside [A-Za-z0-9._-] becomes '_'. */
export function clusterFileName(clusterName: string | undefined): string {
  const cleaned = (clusterName ?? '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return cleaned === '' ? 'default' : cleaned;
}

export function knownHostsFile(cacheDir: string, clusterName: string | undefined): string {
  return join(cacheDir, 'kubectl-berth', 'known_hosts', clusterFileName(clusterName));
}
