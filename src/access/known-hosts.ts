// Host keys of VMs are filed per cluster in a known_hosts of our own, so two clusters with a VM of
// the same name never trip ssh's "host key changed" alarm, and ~/.ssh/known_hosts stays untouched.
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { hostKeyAlias } from './target.js';

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

/**
 * known_hosts text without the entries for `alias`: plain ones (a host field listing it, alone or
 * among others separated by commas) and hashed ones (`|1|salt|hmac`, as ssh writes them under
 * HashKnownHosts, Debian's default), whose HMAC-SHA1 of the alias under the salt matches.
 * Everything else, comments and markers included, stays byte for byte. Pure.
 */
export function withoutHost(text: string, alias: string): { text: string; removed: number } {
  let removed = 0;
  const kept = text.split('\n').filter((line) => {
    const fields = line.trim().split(/\s+/);
    const hosts = fields[0]?.startsWith('@') ? fields[1] : fields[0];
    if (!hosts || line.trim().startsWith('#')) return true;
    const matches = hosts.startsWith('|1|') ? hashedHostIs(hosts, alias) : hosts.split(',').includes(alias);
    if (matches) removed++;
    return !matches;
  });
  return { text: kept.join('\n'), removed };
}

function hashedHostIs(field: string, alias: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(alias).digest('base64') === hash;
}

/**
 * Forgets what kubectl berth ssh filed for these VMs of `namespace` on cluster `clusterName`: a VM
 * that was purged, or made anew on a new disk, may come back with other host keys, and a stale
 * entry would stop ssh with "host key changed" (ssh accepts the new keys on first use).
 */
export function forgetVmHostKeys(clusterName: string | undefined, namespace: string, names: readonly string[]): void {
  const file = knownHostsFile(cacheHome(process.env, homedir()), clusterName);
  for (const name of names) forgetHostKey(file, hostKeyAlias(name, namespace));
}

/** Removes the entries of `alias` from the known_hosts `file` (a missing file has none); how many. */
export function forgetHostKey(file: string, alias: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const result = withoutHost(text, alias);
  if (result.removed > 0) writeFileSync(file, result.text, { mode: 0o600 });
  return result.removed;
}
