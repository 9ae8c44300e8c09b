// The KVM probe for real on this machine (kvm-pvm is loaded; where it serves /dev/kvm, the device
// opens and the probe's boot sector even runs under it, yet KVM must be reported false), and
// against fake inputs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentMain } from '../../../support/repo.js';

function probe(args: string[] = []): any {
  return JSON.parse(execFileSync(process.execPath, [agentMain, 'probe', ...args], { encoding: 'utf8' }));
}

describe('KVM probe (real QEMU, this machine)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 't-agent-probe-'));
    writeFileSync(join(dir, 'cpuinfo-vmx'), 'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae vmx sse sse2\n');
    writeFileSync(join(dir, 'cpuinfo-plain'), 'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae sse sse2\n');
    // A stand-in for /dev/kvm that exists and opens, and a sysfs where kvm-pvm is loaded.
    writeFileSync(join(dir, 'kvm'), '');
    mkdirSync(join(dir, 'sysfs-pvm', 'module', 'kvm_pvm'), { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports, for this machine, what its facts say (no usable KVM here), and that TCG runs the guest', () => {
    // The development machines load kvm-pvm; some expose /dev/kvm, some do not. Either way the
    // verdict must be false and name the first blocker; a machine with real KVM must say true.
    const { facts, verdict } = probe();
    const cpu = /\s(vmx|svm)(\s|$)/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
    assert.equal(facts.kvmDevicePresent, existsSync('/dev/kvm'));
    assert.equal(facts.kvmPvmLoaded, existsSync('/sys/module/kvm_pvm'));
    assert.equal(facts.tcgGuest.ok, true, facts.tcgGuest.detail);
    if (!facts.kvmDevicePresent) assert.match(verdict.reason, /^\/dev\/kvm does not exist/);
    else if (facts.kvmPvmLoaded) assert.match(verdict.reason, /kvm-pvm/);
    else if (!cpu) assert.match(verdict.reason, /^the CPU has no vmx or svm flag/);
    if (!facts.kvmDevicePresent || facts.kvmPvmLoaded || !cpu) {
      assert.deepEqual([verdict.kvm, verdict.node, verdict.accel], [false, true, 'tcg']);
    }
  });

  it('says false with a cpuinfo that has vmx when kvm-pvm serves /dev/kvm (fake device and sysfs)', () => {
    const { facts, verdict } = probe(['--cpuinfo', join(dir, 'cpuinfo-vmx'), '--sysfs', join(dir, 'sysfs-pvm'), '--kvm-device', join(dir, 'kvm')]);
    assert.equal(facts.cpuVirtFlag, true);
    assert.equal(facts.kvmPvmLoaded, true);
    assert.equal(verdict.kvm, false);
    assert.match(verdict.reason, /served by kvm-pvm/);
  });

  it('names the missing CPU flag when cpuinfo has no vmx/svm and kvm-pvm is not loaded (fake device and sysfs)', () => {
    const { verdict } = probe(['--cpuinfo', join(dir, 'cpuinfo-plain'), '--sysfs', dir, '--kvm-device', join(dir, 'kvm')]);
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
