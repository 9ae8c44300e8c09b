// QEMU's command line for a Berth VM: one pure function from the launcher's settings to argv.
import { Ports, type Accel, type VncMode } from '../../shared/contract.js';

export const QEMU_BINARY = 'qemu-system-x86_64';

export interface QemuPlan {
  name: string;
  accel: Accel;
  cpus: number;
  memoryMiB: number;
  petDisk: string;
  seedIso: string;
  tap: string;
  mac: string;
  qmpSocket: string;
  vnc: VncMode;
  /** File holding the VNC password (no trailing newline); required when vnc is 'password'. */
  vncPasswordFile?: string;
  /** UEFI (OVMF) instead of SeaBIOS: its code and the VM's own variable store. */
  uefi?: UefiPlan;
}

export interface UefiPlan {
  /** OVMF's code, read-only, from the image's ovmf package. */
  code: string;
  /** The VM's variable store (NVRAM), writable, kept on its disk volume. */
  vars: string;
  secureBoot: boolean;
}

const VNC_DISPLAY = Ports.vnc - 5900;

export function qemuArgs(plan: QemuPlan): string[] {
  return [
    '-name', `${plan.name},debug-threads=on`,
    '-nodefaults',
    '-no-user-config',
    '-machine', machine(plan),
    ...accelArgs(plan.accel),
    ...firmwareArgs(plan.uefi),
    '-smp', String(plan.cpus),
    '-m', `${plan.memoryMiB}M`,
    '-rtc', 'base=utc',
    // the pet disk boots, the NoCloud seed is found by its label; an I/O error (a full volume)
    // pauses the guest rather than failing its writes (disk-full.ts resumes it)
    '-drive', `file=${plan.petDisk},format=qcow2,if=none,id=disk0,discard=unmap,werror=stop,rerror=stop`,
    '-device', 'virtio-blk-pci,drive=disk0,bootindex=0',
    '-drive', `file=${plan.seedIso},format=raw,if=none,id=cidata,readonly=on`,
    '-device', 'virtio-blk-pci,drive=cidata',
    '-netdev', `tap,id=net0,ifname=${plan.tap},script=no,downscript=no`,
    '-device', `virtio-net-pci,netdev=net0,mac=${plan.mac}`,
    // without an entropy source early sshd waits seconds for the guest's crng (worst under TCG)
    '-object', 'rng-random,id=rng0,filename=/dev/urandom',
    '-device', 'virtio-rng-pci,rng=rng0',
    '-vga', 'std',
    '-display', 'none',
    ...vncArgs(plan),
    // serial console on the container's stdio: `kubectl logs` shows the boot, `kubectl attach` is a
    // console. The container has no tty (stdin is a pipe), so QEMU passes bytes through untouched;
    // signal=off matters only for VMs made with a tty by older plugins, where it keeps a typed
    // Ctrl-C in the guest instead of killing QEMU.
    '-chardev', 'stdio,id=console,signal=off',
    '-serial', 'chardev:console',
    '-qmp', `unix:${plan.qmpSocket},server=on,wait=off`,
  ];
}

/**
 * i440fx ('pc') for SeaBIOS and plain OVMF. OVMF's Secure Boot build needs SMM, so that only
 * firmware in System Management Mode can write its variables (the guest's OS could otherwise
 * replace the enrolled keys), and it supports SMM on q35 alone.
 */
function machine(plan: QemuPlan): string {
  return plan.uefi?.secureBoot ? 'q35,smm=on' : 'pc';
}

/** OVMF as two flash chips: unit 0 its code (read-only), unit 1 the VM's variable store. */
function firmwareArgs(uefi: UefiPlan | undefined): string[] {
  if (!uefi) return [];
  return [
    // with Secure Boot, the flash accepts writes only from SMM
    ...(uefi.secureBoot ? ['-global', 'driver=cfi.pflash01,property=secure,value=on'] : []),
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${uefi.code}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${uefi.vars}`,
  ];
}

/** TCG translation-cache size in MiB. */
export const TCG_TB_SIZE_MIB = 64;

function accelArgs(accel: Accel): string[] {
  switch (accel) {
    case 'kvm':
      return ['-accel', 'kvm', '-cpu', 'host'];
    case 'tcg':
      // QEMU sizes the TCG translation cache from guest RAM, up to 1 GiB; the pod's memory limit
      // allows 128Mi for it (src/core/defaults.ts), so bound it well inside that.
      return ['-accel', `tcg,tb-size=${TCG_TB_SIZE_MIB}`];
  }
}

function vncArgs(plan: QemuPlan): string[] {
  switch (plan.vnc) {
    case 'off':
      return [];
    case 'loopback':
      // only the pod's loopback: reachable through `kubectl port-forward`, never from the network
      return ['-vnc', `127.0.0.1:${VNC_DISPLAY}`];
    case 'password':
      if (!plan.vncPasswordFile) throw new Error('VNC password mode needs vncPasswordFile');
      return [
        '-object', `secret,id=vncpass,file=${plan.vncPasswordFile},format=raw`,
        '-vnc', `0.0.0.0:${VNC_DISPLAY},password-secret=vncpass`,
      ];
  }
}
