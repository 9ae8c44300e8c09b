// The test guest the end-to-end tests boot (test/guest/build.sh): where it is and its checksum.
// Running the plugin and kubectl, polling and serving the image are test/support's; putting the
// guest into the catalog, which several end-to-end tests do first, is here.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { imageLabelKey } from '../../shared/image-cache.js';
import { Labels, LabelValues } from '../../shared/contract.js';
import { execa } from 'execa';
import { berthCache, kubectlOut, nodeAddress, requireCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import type { ImageServer } from '../support/image-server.js';
import { berth, berthOk, type Run } from '../support/plugin.js';

/** Where test/guest/build.sh puts the guest: BERTH_GUEST_CACHE, as lib.sh reads it, else the cache's guest/. */
export const guestDir = process.env.BERTH_GUEST_CACHE || join(berthCache(), 'guest');
export const guestImage = join(guestDir, 'guest.qcow2');
/** The bootable install ISO test/guest/build-iso.sh makes from the guest. */
export const installIso = join(guestDir, 'install.iso');

export function guestSha256(): string {
  const file = `${guestImage}.sha256`;
  if (!existsSync(guestImage) || !existsSync(file)) throw new Error(`the test guest is missing (${guestImage}); run test/guest/build.sh`);
  return readFileSync(file, 'utf8').trim().split(/\s+/)[0]!;
}

/**
 * Serves the test guest from `server`, adds it to the catalog as `image` and waits until the first
 * berth node has cached it. Returns that node's name.
 */
export async function catalogTestGuest(server: ImageServer, image: string): Promise<string> {
  const node = (await kubectlOut(['get', 'nodes', '-l', `${Labels.nodeReady}=true`, '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
  server.serveFile('/guest.qcow2', guestImage);
  await server.start();
  await berthOk(['images', 'add', image, '--url', `http://${await nodeAddress(node)}:${server.port}/guest.qcow2`, '--sha256', guestSha256(), '--force']);
  const label = imageLabelKey(image);
  await eventually(`node ${node} to cache ${image}`, 180_000, async () => {
    const value = (await kubectlOut(['get', 'node', node, '-o', `jsonpath={.metadata.labels.${label.replaceAll('.', '\\.')}}`])).trim();
    return value === LabelValues.imageReady ? value : undefined;
  }, { intervalMs: 2000 });
  return node;
}

/** The start of an end-to-end test on a VM: the cluster is there, a new ssh key at `key`, and `namespace` made afresh. */
export async function freshNamespaceWithKey(namespace: string, key: string): Promise<void> {
  await requireCluster();
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  await kubectlOut(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=true'], { timeoutMs: 180_000 });
  await kubectlOut(['create', 'namespace', namespace]);
}

export interface GuestShellOptions {
  /** The guest user, when it is not ssh's default (root for the test guest). */
  user?: string;
  /** Default 2 minutes: a command in a running guest, not a wait for one to boot. */
  timeoutMs?: number;
  /** Return a failed run instead of throwing (a command that ends the connection, as poweroff does). */
  mayFail?: boolean;
}

/**
 * `kubectl berth ssh VM -n NAMESPACE -- COMMAND` as the end-to-end tests reach a guest: with the
 * test's key, a known_hosts of the test's own beside it (an earlier run's VM of the same name had
 * another host key), and BatchMode, so that nothing can wait for a password.
 */
export function guestShell(namespace: string, key: string, defaults: GuestShellOptions = {}) {
  const knownHosts = join(dirname(key), 'known_hosts');
  return (vm: string, command: string, options: GuestShellOptions = {}): Promise<Run> => {
    const { user, timeoutMs = 120_000, mayFail = false } = { ...defaults, ...options };
    const args = ['ssh', user ? `${user}@${vm}` : vm, '-n', namespace, '-i', key,
      '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'BatchMode=yes', '--', command];
    return (mayFail ? berth : berthOk)(args, { timeoutMs });
  };
}
