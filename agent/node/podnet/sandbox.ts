// Finds a pod's network namespace on this node from the pod's UID. The kubelet puts every process
// of a pod, the sandbox's first, in a cgroup named after the pod's UID, with either cgroup driver:
//   cgroupfs: .../kubepods/besteffort/pod5b1c…-…/<container>
//   systemd:  .../kubepods-besteffort-pod5b1c…_…_….slice/cri-containerd-<container>.scope
// Any process of the pod shares its network namespace; before the first container starts, the
// sandbox's own process (pause) is the only one. The agent needs the host's PID namespace to see it.
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

const CGROUPFS = /\/pod([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/;
const SYSTEMD = /-pod([0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12})\.slice/;

/** The pod UID in a /proc/PID/cgroup file (v1 or v2), or undefined for a process outside pods. */
export function podUidOfCgroup(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    const match = CGROUPFS.exec(path) ?? SYSTEMD.exec(path);
    if (match) return match[1]!.replaceAll('_', '-');
  }
  return undefined;
}

export interface PodNetns {
  pid: number;
  /** /proc/PID/ns/net: a path nsenter and setns accept. */
  path: string;
  /** net:[inode], to tell two namespaces apart. */
  id: string;
}

/**
 * A process of the pod with UID `uid` and its network namespace; undefined when no process of that
 * pod runs (yet). Processes that vanish while we look are skipped.
 */
export async function findPodNetns(uid: string, proc = '/proc'): Promise<PodNetns | undefined> {
  const pids = (await readdir(proc)).filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => a - b);
  for (const pid of pids) {
    const cgroup = await readFile(join(proc, String(pid), 'cgroup'), 'utf8').catch(() => '');
    if (podUidOfCgroup(cgroup) !== uid) continue;
    const path = join(proc, String(pid), 'ns', 'net');
    const id = await readlink(path).catch(() => undefined);
    if (id) return { pid, path, id };
  }
  return undefined;
}
