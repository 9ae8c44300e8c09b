// QEMU's command line for a Berth VM: one pure function from the launcher's settings to argv.
import { Ports, type Accel, type VncMode } from '../../shared/contract.js';

export const QEMU_BINARY = 'qemu-system-x86_64';

export interface QemuPlan {
  name: string;
  accel: Accel;
  cpus: number;
  memoryMiB: number;
  /**
   * Hotplug headroom (shared/vm-size.ts): the most vCPUs and MiB `resize` may give the running
   * guest, and its pc-dimm slots. Unset: no room, the guest keeps its boot size.
   */
  maxCpus?: number;
  maxMemoryMiB?: number;
  memorySlots?: number;
  petDisk: string;
  seedIso: string;
  tap: string;
  mac: string;
  qmpSocket: string;
  vnc: VncMode;
  /** File holding the VNC password (no trailing newline); required when vnc is 'password'. */
  vncPasswordFile?: string;
  /** Data disks: raw files, each a virtio disk whose serial is its name. */
  dataDisks?: { name: string; file: string }[];
  /** The install ISO, attached read-only as a CD-ROM. */
  cdrom?: string;
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

/** The QEMU drive id of data disk NAME: what a BLOCK_IO_ERROR names (vm.ts maps it to its volume). */
export function dataDriveId(name: string): string {
  return `data-${name}`;
}

/** The drive id of the pet disk. */
export const PET_DRIVE_ID = 'disk0';

const VNC_DISPLAY = Ports.vnc - 5900;

export function qemuArgs(plan: QemuPlan): string[] {
  return [
    '-name', `${plan.name},debug-threads=on`,
    '-nodefaults',
    '-no-user-config',
    '-machine', machine(plan),
    ...accelArgs(plan.accel),
    ...firmwareArgs(plan.uefi),
    ...sizeArgs(plan),
    '-rtc', 'base=utc',
    // the pet disk boots, the NoCloud seed is found by its label; an I/O error (a full volume)
    // pauses the guest rather than failing its writes (disk-full.ts resumes it)
    '-drive', `file=${plan.petDisk},format=qcow2,if=none,id=${PET_DRIVE_ID},discard=unmap,werror=stop,rerror=stop`,
    '-device', `virtio-blk-pci,drive=${PET_DRIVE_ID},bootindex=0`,
    ...installMediaArgs(plan),
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
 * Data disks and the install CD. A data disk pauses the guest on an I/O error like the pet disk.
 * The CD is an IDE (ATAPI) drive: every installer and legacy OS has a driver for it, where a
 * virtio-scsi CD would need one first, and SeaBIOS boots it (El Torito).
 *
 * Boot order: the pet disk first (bootindex 0), the CD second. SeaBIOS tries the disk, finds no
 * boot signature on an empty one and falls through to the CD; once an installer has written a boot
 * loader, the disk boots and the CD stays as plain media, with no step to detach it. (The CD
 * first would boot the installer again on every start; most installers then wait at a menu.)
 */
function installMediaArgs(plan: QemuPlan): string[] {
  const args: string[] = [];
  for (const disk of plan.dataDisks ?? []) {
    const id = dataDriveId(disk.name);
    args.push(
      '-drive', `file=${disk.file},format=raw,if=none,id=${id},discard=unmap,werror=stop,rerror=stop`,
      '-device', `virtio-blk-pci,drive=${id},serial=${disk.name}`,
    );
  }
  if (plan.cdrom) {
    args.push(
      '-drive', `file=${plan.cdrom},format=raw,if=none,id=cdrom0,media=cdrom,readonly=on`,
      '-device', 'ide-cd,drive=cdrom0,bootindex=1',
    );
  }
  return args;
}

/**
 * The guest's size with room to grow: CPU slots up to maxcpus (plugged with device_add), and
 * pc-dimm slots up to maxmem. Room without a use costs no host memory (maxmem is address space).
 */
function sizeArgs(plan: QemuPlan): string[] {
  const maxCpus = Math.max(plan.cpus, plan.maxCpus ?? 0);
  const smp = maxCpus > plan.cpus ? `${plan.cpus},maxcpus=${maxCpus}` : String(plan.cpus);
  // QEMU refuses slots without room beyond the boot size
  const memory = (plan.maxMemoryMiB ?? 0) > plan.memoryMiB && (plan.memorySlots ?? 0) > 0
    ? `${plan.memoryMiB}M,slots=${plan.memorySlots},maxmem=${plan.maxMemoryMiB}M`
    : `${plan.memoryMiB}M`;
  return ['-smp', smp, '-m', memory];
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
