// Whether this node can run VMs, and how, decided from facts only: the CPU flags, the /dev/kvm
// device, the kvm-pvm module and whether a real guest ran. Opening /dev/kvm proves nothing on its
// own: kvm-pvm serves it too, yet runs only PVM-enabled guest kernels.

export interface GuestRun {
  /** True when QEMU exited with the probe's status, i.e. the guest code really executed. */
  ok: boolean;
  /** What happened, for the reason annotation: "exit 99 in 0.4 s", "timed out after 5 s", ... */
  detail: string;
}

export interface KvmFacts {
  /** The device path the facts are about, for messages; '/dev/kvm' unless overridden. */
  kvmDevicePath?: string;
  /** The vmx or svm flag is present in /proc/cpuinfo. */
  cpuVirtFlag: boolean;
  /** /dev/kvm exists. */
  kvmDevicePresent: boolean;
  /** /dev/kvm opened read-write; undefined when it was not tried, else the error text on failure. */
  kvmDeviceOpen: { ok: true } | { ok: false; error: string } | undefined;
  /** /sys/module/kvm_pvm exists. */
  kvmPvmLoaded: boolean;
  /** The boot sector under -accel kvm; undefined when not run. */
  kvmGuest?: GuestRun;
  /** The boot sector under -accel tcg; undefined when not run (QEMU missing counts as a failed run). */
  tcgGuest?: GuestRun;
}

export interface KvmVerdict {
  /** berth.dev/kvm */
  kvm: boolean;
  /** berth.dev/node: QEMU runs a guest here, with KVM or TCG. */
  node: boolean;
  /** 'kvm', 'tcg' or 'none': what a VM on this node will use. */
  accel: 'kvm' | 'tcg' | 'none';
  /** Why, in one line, for the kvm-reason annotation and `kubectl berth nodes`. */
  reason: string;
}

/** Why KVM cannot be used before even running a guest, or undefined when a guest run must decide. */
export function kvmBlocker(facts: Omit<KvmFacts, 'kvmGuest' | 'tcgGuest'>): string | undefined {
  const dev = facts.kvmDevicePath ?? '/dev/kvm';
  if (!facts.kvmDevicePresent) return `${dev} does not exist`;
  if (facts.kvmPvmLoaded) return `${dev} is served by kvm-pvm, which runs only PVM guest kernels`;
  if (!facts.cpuVirtFlag) return 'the CPU has no vmx or svm flag (no hardware virtualisation exposed)';
  if (facts.kvmDeviceOpen && !facts.kvmDeviceOpen.ok) return `${dev} cannot be opened: ${facts.kvmDeviceOpen.error}`;
  return undefined;
}

/** The decision table: KVM needs every precondition AND a guest that really ran under it. */
export function decideKvm(facts: KvmFacts): KvmVerdict {
  const tcgOk = facts.tcgGuest?.ok === true;
  const tcgNote = tcgOk ? 'TCG works' : `TCG does not work either (${facts.tcgGuest?.detail ?? 'not tried'})`;
  const blocker = kvmBlocker(facts);
  let kvmReason: string;
  let kvm = false;
  if (blocker) kvmReason = blocker;
  else if (!facts.kvmGuest) kvmReason = 'no guest was run under KVM';
  else if (!facts.kvmGuest.ok) kvmReason = `a test guest failed under KVM: ${facts.kvmGuest.detail}`;
  else {
    kvm = true;
    kvmReason = `a test guest ran under KVM (${facts.kvmGuest.detail})`;
  }
  if (kvm) return { kvm, node: true, accel: 'kvm', reason: kvmReason };
  return { kvm: false, node: tcgOk, accel: tcgOk ? 'tcg' : 'none', reason: `${kvmReason}; ${tcgNote}` };
}

/** True when /proc/cpuinfo text shows hardware virtualisation on any CPU. */
export function cpuinfoHasVirt(cpuinfo: string): boolean {
  return cpuinfo.split('\n').some((line) => /^flags\s*:/.test(line) && /\s(vmx|svm)(\s|$)/.test(line.replace(/^flags\s*:/, ' ')));
}
