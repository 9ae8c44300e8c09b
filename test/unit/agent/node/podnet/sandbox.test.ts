import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPodNetns, podUidOfCgroup } from '../../../../../agent/node/podnet/sandbox.js';

const UID = 'aed6d05a-be23-457e-9ef8-045262f0aed8';

describe('finding a pod network namespace', () => {
  it('reads the pod UID from cgroup v1 and v2 paths, with the cgroupfs and the systemd driver', () => {
    // cgroup v1, cgroupfs driver: what this machine's kubelet writes
    assert.equal(podUidOfCgroup(`12:pids:/kubepods/besteffort/pod${UID}/4f1c\n11:memory:/kubepods/besteffort/pod${UID}/4f1c\n`), UID);
    assert.equal(podUidOfCgroup(`0::/kubepods/burstable/pod${UID}/cri-containerd-1234\n`), UID);
    assert.equal(podUidOfCgroup(`0::/kubepods/pod${UID}\n`), UID, 'a guaranteed pod sits right under kubepods');
    const systemd = UID.replaceAll('-', '_');
    assert.equal(podUidOfCgroup(`0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${systemd}.slice/cri-containerd-ab.scope\n`), UID);
    assert.equal(podUidOfCgroup(`0::/kubepods.slice/kubepods-pod${systemd}.slice/crio-ab.scope\n`), UID);
  });

  it('finds no UID for processes outside pods', () => {
    assert.equal(podUidOfCgroup('0::/system.slice/containerd.service\n'), undefined);
    assert.equal(podUidOfCgroup('12:memory:/user.slice\n'), undefined);
    assert.equal(podUidOfCgroup(''), undefined);
    assert.equal(podUidOfCgroup(`0::/kubepods/besteffort/pod${UID}x/abc\n`), undefined, 'not a whole UID');
  });

  it('picks a process of the pod and its network namespace from a /proc tree', async () => {
    const proc = mkdtempSync(join(tmpdir(), 't-proc-'));
    const add = (pid: number, cgroup: string, netns?: string) => {
      mkdirSync(join(proc, String(pid), 'ns'), { recursive: true });
      writeFileSync(join(proc, String(pid), 'cgroup'), cgroup);
      if (netns) symlinkSync(netns, join(proc, String(pid), 'ns', 'net'));
    };
    add(1, '0::/init.scope\n', 'net:[4026531840]');
    add(88, `0::/kubepods/besteffort/pod${UID}/sandbox\n`); // gone before its ns could be read
    add(9209, `0::/kubepods/besteffort/pod${UID}/sandbox\n`, 'net:[4026532238]');
    mkdirSync(join(proc, 'self'));
    assert.deepEqual(await findPodNetns(UID, proc), { pid: 9209, path: join(proc, '9209', 'ns', 'net'), id: 'net:[4026532238]' });
    assert.equal(await findPodNetns('00000000-0000-0000-0000-000000000000', proc), undefined);
  });
});
