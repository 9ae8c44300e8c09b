import assert from 'node:assert/strict';
import { cpuinfoHasVirt, decideKvm, type KvmFacts } from '../../../../../agent/node/kvm/decide.js';

const ran = { ok: true, detail: 'guest ran, exit 99 in 0.2 s' };
const failed = { ok: false, detail: 'timed out after 5 s' };
const realKvmHost: KvmFacts = { cpuVirtFlag: true, kvmDevicePresent: true, kvmDeviceOpen: { ok: true }, kvmPvmLoaded: false, kvmGuest: ran, tcgGuest: ran };

describe('decideKvm', () => {
  const rows: Array<[string, Partial<KvmFacts>, { kvm: boolean; node: boolean; accel: string; reason: RegExp }]> = [
    ['a real KVM host where the guest ran', {}, { kvm: true, node: true, accel: 'kvm', reason: /a test guest ran under KVM/ }],
    ['no vmx/svm flag', { cpuVirtFlag: false }, { kvm: false, node: true, accel: 'tcg', reason: /no vmx or svm flag.*TCG works/ }],
    ['no /dev/kvm', { kvmDevicePresent: false, kvmDeviceOpen: undefined }, { kvm: false, node: true, accel: 'tcg', reason: /^\/dev\/kvm does not exist/ }],
    ['/dev/kvm not openable', { kvmDeviceOpen: { ok: false, error: 'EACCES' } }, { kvm: false, node: true, accel: 'tcg', reason: /cannot be opened: EACCES/ }],
    ['kvm-pvm loaded even though a guest ran under it', { kvmPvmLoaded: true }, { kvm: false, node: true, accel: 'tcg', reason: /kvm-pvm/ }],
    ['this machine: kvm-pvm, no flag, guest ran', { kvmPvmLoaded: true, cpuVirtFlag: false }, { kvm: false, node: true, accel: 'tcg', reason: /kvm-pvm/ }],
    ['the KVM guest failed', { kvmGuest: failed }, { kvm: false, node: true, accel: 'tcg', reason: /failed under KVM: timed out/ }],
    ['the KVM guest was not run', { kvmGuest: undefined }, { kvm: false, node: true, accel: 'tcg', reason: /no guest was run under KVM/ }],
    ['nothing runs at all', { kvmDevicePresent: false, tcgGuest: { ok: false, detail: 'qemu-system-x86_64 not found' } }, { kvm: false, node: false, accel: 'none', reason: /TCG does not work either \(qemu-system-x86_64 not found\)/ }],
    ['KVM works but TCG does not: still a VM node', { tcgGuest: failed }, { kvm: true, node: true, accel: 'kvm', reason: /ran under KVM/ }],
  ];
  it('names the device path it was given', () => {
    assert.match(decideKvm({ ...realKvmHost, kvmDevicePath: '/x/kvm', kvmDevicePresent: false }).reason, /^\/x\/kvm does not exist/);
  });
  for (const [title, change, want] of rows) {
    it(title, () => {
      const v = decideKvm({ ...realKvmHost, ...change });
      assert.equal(v.kvm, want.kvm);
      assert.equal(v.node, want.node);
      assert.equal(v.accel, want.accel);
      assert.match(v.reason, want.reason);
    });
  }
});

describe('cpuinfoHasVirt', () => {
  it('finds vmx or svm as whole words in a flags line', () => {
    assert.equal(cpuinfoHasVirt('processor\t: 0\nflags\t\t: fpu vme de pse vmx sse\n'), true);
    assert.equal(cpuinfoHasVirt('flags\t\t: fpu svm\n'), true);
  });
  it('ignores lookalikes and other lines', () => {
    assert.equal(cpuinfoHasVirt('flags\t\t: fpu vmxx avx512_vmx_x\nmodel name\t: vmx svm\n'), false);
    assert.equal(cpuinfoHasVirt(''), false);
  });
});
