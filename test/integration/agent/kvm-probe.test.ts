// The KVM probe for real on this machine (kvm-pvm: /dev/kvm opens, and the probe's boot sector
// even runs under it, yet KVM must be reported false), and against fake inputs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipLoudly } from '../../support/skip.js';
import { AGENT_MAIN } from './support/agent-process.js';

function probe(args: string[] = []): any {
  return JSON.parse(execFileSync(process.execPath, [AGENT_MAIN, 'probe', ...args], { encoding: 'utf8' }));
}

describe('KVM probe (real QEMU, this machine)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 't-agent-probe-'));
    writeFileSync(join(dir, 'cpuinfo-vmx'), 'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae vmx sse sse2\n');
    writeFileSync(join(dir, 'cpuinfo-plain'), 'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae sse sse2\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('says false here, where /dev/kvm is kvm-pvm, though TCG runs the guest', function () {
    if (!existsSync('/sys/module/kvm_pvm')) skipLoudly(this, 'this machine has no kvm-pvm; the test is about a kvm-pvm host');
    const { facts, verdict } = probe();
    assert.equal(facts.kvmPvmLoaded, true);
    assert.equal(facts.tcgGuest.ok, true, facts.tcgGuest.detail);
    assert.deepEqual([verdict.kvm, verdict.node, verdict.accel], [false, true, 'tcg']);
    assert.match(verdict.reason, /kvm-pvm/);
  });

  it('still says false with a fake cpuinfo that has vmx, because kvm-pvm serves /dev/kvm', function () {
    if (!existsSync('/sys/module/kvm_pvm')) skipLoudly(this, 'this machine has no kvm-pvm');
    const { facts, verdict } = probe(['--cpuinfo', join(dir, 'cpuinfo-vmx')]);
    assert.equal(facts.cpuVirtFlag, true);
    assert.equal(verdict.kvm, false);
    assert.match(verdict.reason, /kvm-pvm/);
  });

  it('names the missing CPU flag when cpuinfo has no vmx/svm and kvm-pvm is not loaded (fake sysfs)', () => {
    const { verdict } = probe(['--cpuinfo', join(dir, 'cpuinfo-plain'), '--sysfs', dir]);
    assert.equal(verdict.kvm, false);
    assert.match(verdict.reason, /^the CPU has no vmx or svm flag/);
    assert.equal(verdict.accel, 'tcg');
  });

  it('names a missing device', () => {
    const { facts, verdict } = probe(['--kvm-device', join(dir, 'no-such-kvm')]);
    assert.equal(facts.kvmDevicePresent, false);
    assert.equal(verdict.kvm, false);
    assert.match(verdict.reason, /does not exist/);
    assert.equal(verdict.node, true);
  });

  it('reports no VM support at all when QEMU is missing', () => {
    const { verdict } = probe(['--qemu', join(dir, 'no-such-qemu')]);
    assert.deepEqual([verdict.kvm, verdict.node, verdict.accel], [false, false, 'none']);
    assert.match(verdict.reason, /TCG does not work either \(.*no-such-qemu not found\)/);
  });

  it('the boot sector makes QEMU exit with 99 under TCG, proving the guest ran', () => {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    assert.ok(cpuinfo.length > 0);
    const { facts } = probe(['--kvm-device', join(dir, 'no-such-kvm')]);
    assert.match(facts.tcgGuest.detail, /^guest ran, exit 99 in \d+\.\d s$/);
  });
});
