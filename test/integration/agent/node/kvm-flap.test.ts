// One failed KVM probe does not mark the node kvm=false: the agent probes again soon, and only a
// second failure in a row changes the label. The agent runs as a process against a fake node, with
// the probe's inputs pointed at fakes (a cpuinfo with vmx, a device file that opens, a sysfs
// without kvm-pvm) and a stand-in QEMU whose runs under KVM succeed or fail as a list the test
// wrote says, one line per run: the outcomes are set by the test, not by the machine's speed.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE_EXIT_STATUS } from '../../../../agent/node/kvm/boot-sector.js';
import { AgentProcess, AgentTestbed } from '../../../support/agent-process.js';
import { freePort } from '../../../support/ports.js';
import { requireCluster } from '../../../support/cluster.js';
import { eventually } from '../../../support/eventually.js';

describe('node agent: a failed KVM probe is confirmed before the label changes (agent process, local cluster)', function () {
  this.timeout(60_000);
  const bed = new AgentTestbed('flap');
  let dir: string;
  let agent: AgentProcess | undefined;

  before(async () => {
    await requireCluster();
    bed.create();
    dir = mkdtempSync(join(tmpdir(), 't-agent-flap-'));
    writeFileSync(join(dir, 'cpuinfo'), 'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae vmx sse sse2\n');
    writeFileSync(join(dir, 'kvm'), '');
    mkdirSync(join(dir, 'sysfs'));
    // ok, fail, ok, fail, fail; then (the list used up) fail for good.
    writeFileSync(join(dir, 'outcomes'), 'ok\nfail\nok\nfail\nfail\n');
    const qemu = join(dir, 'qemu');
    writeFileSync(qemu, `#!/bin/sh\n[ "$2" = kvm ] || exit ${PROBE_EXIT_STATUS}\nline=$(head -n 1 '${dir}/outcomes')\nsed -i 1d '${dir}/outcomes'\n[ "$line" = ok ] && exit ${PROBE_EXIT_STATUS}\necho 'error: the guest did not run' >&2\nexit 1\n`);
    chmodSync(qemu, 0o755);
  });

  after(async () => {
    await agent?.stop();
    await bed.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps kvm=true through one failed probe, probes again soon, and flips only when a second one in a row fails', async () => {
    agent = new AgentProcess(
      ['--images', 'off', '--device-plugins', 'off', '--http', `127.0.0.1:${await freePort()}`, '--status-interval', '200ms', '--cpuinfo', join(dir, 'cpuinfo'), '--kvm-device', join(dir, 'kvm'), '--sysfs', join(dir, 'sysfs'), '--qemu', join(dir, 'qemu'), '--probe-interval', '300ms', '--probe-retry', '100ms'],
      { NODE_NAME: bed.node },
    );
    agent.start();
    const probes = () => [...agent!.log.matchAll(/KVM probe: kvm=(\w+) node=\w+: .*; the node shows kvm=(\w+) node=\w+(.*)$/gm)].map((m) => ({ found: m[1], shown: m[2], rest: m[3] }));
    const seen = await eventually('six probes', 30_000, () => (probes().length >= 6 ? probes() : undefined), { describe: () => agent!.tail() });
    assert.deepEqual(seen.slice(0, 6).map((p) => [p.found, p.shown]), [
      ['true', 'true'],
      ['false', 'true'], // one failure: kept
      ['true', 'true'],
      ['false', 'true'], // kept again
      ['false', 'false'], // confirmed
      ['false', 'false'],
    ]);
    assert.match(seen[1].rest, /until a second probe confirms what this one found; probing again in 100ms$/);
    assert.doesNotMatch(seen[2].rest, /probing again/, 'after a good probe, the normal interval');
    assert.match(seen[4].rest, /^$/, 'a confirmed failure waits the normal interval');
    const labels = await eventually('the node labelled kvm=false', 10_000, () => {
      const l = bed.nodeMeta().labels;
      return l['berth.dev/kvm'] === 'false' ? l : undefined;
    });
    assert.equal(labels['berth.dev/node'], 'true', 'TCG still works');
  });
});
