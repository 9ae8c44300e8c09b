// The flags that describe a VM, declared once: oclif parses them, `create` lists them, and their
// inferred type is what core/vm-flags.ts checks, so no interface restates them.
import { Flags, type Interfaces } from '@oclif/core';
import { VM_DEFAULTS } from '../core/defaults.js';

export const vmFlags = {
  image: Flags.string({ summary: 'Image to boot: a name from the image catalog, or an http(s) URL of a qcow2 file.', helpGroup: 'IMAGE' }),
  'image-sha256': Flags.string({ summary: 'sha256 of the image at --image URL; recommended: the download is verified against it.', helpGroup: 'IMAGE' }),
  cdrom: Flags.string({ summary: 'Install ISO attached as a read-only CD-ROM: a catalog name, or an http(s) URL with --cdrom-sha256.', helpGroup: 'IMAGE' }),
  'cdrom-sha256': Flags.string({ summary: 'sha256 of the ISO at --cdrom URL (required with a URL).', helpGroup: 'IMAGE' }),
  'blank-disk': Flags.boolean({ summary: 'Start with an empty disk instead of an image; the VM boots --cdrom until something is installed on the disk.', helpGroup: 'IMAGE' }),
  cpus: Flags.string({ summary: `Virtual CPUs (default ${VM_DEFAULTS.cpus}); each reserves 100m of node CPU.`, helpGroup: 'SIZE' }),
  memory: Flags.string({ summary: `Guest memory, a Kubernetes quantity (default ${VM_DEFAULTS.memory}); the pod adds QEMU's overhead.`, helpGroup: 'SIZE' }),
  'disk-size': Flags.string({ summary: `Size of the VM's disk (default ${VM_DEFAULTS.diskSize}).`, helpGroup: 'SIZE' }),
  'storage-class': Flags.string({ summary: 'StorageClass of the disk PVC (default: the cluster default).', helpGroup: 'SIZE' }),
  disk: Flags.string({ summary: 'A blank data disk on a claim of its own, NAME=SIZE[,class=STORAGECLASS]; the guest finds it as /dev/disk/by-id/virtio-NAME; repeatable.', multiple: true, helpGroup: 'SIZE' }),
  ephemeral: Flags.boolean({ summary: 'Keep the disk in the pod (emptyDir): lost when the pod goes.', helpGroup: 'SIZE' }),
  'reuse-disk': Flags.boolean({ summary: 'Boot from the disk an earlier VM of this name left behind.', helpGroup: 'SIZE' }),
  'ssh-key': Flags.string({ summary: 'SSH public key file or key text; repeatable (default: every ~/.ssh/*.pub).', multiple: true, helpGroup: 'CLOUD-INIT' }),
  'user-data': Flags.string({ summary: 'cloud-init user-data file; a #cloud-config file gets the SSH keys merged in.', helpGroup: 'CLOUD-INIT' }),
  'user-data-from': Flags.string({ summary: 'Use the user-data key of configmap/NAME or secret/NAME, mounted as is.', helpGroup: 'CLOUD-INIT' }),
  'vnc-password': Flags.boolean({ summary: 'Open VNC on the pod IP with a password (at most 8 characters), asked for on the terminal.', helpGroup: 'ACCESS' }),
  'vnc-password-file': Flags.string({ summary: "Like --vnc-password, with the password read from the file's first line (- reads stdin).", helpGroup: 'ACCESS' }),
  vnc: Flags.boolean({ summary: "VNC display on the pod's loopback (use --no-vnc to turn it off).", allowNo: true, default: true, helpGroup: 'ACCESS' }),
  'ready-port': Flags.string({ summary: `Guest TCP port whose answer makes the VM Ready (default ${VM_DEFAULTS.readyPort}; 0: none).`, helpGroup: 'ACCESS' }),
  port: Flags.string({ summary: 'Guest TCP port to reach with kubectl berth port-forward (22 always works); repeatable.', multiple: true, helpGroup: 'ACCESS' }),
  accel: Flags.string({ summary: 'kvm (default), or tcg: software emulation for nodes without usable KVM, many times slower.', helpValue: 'kvm|tcg', helpGroup: 'PLACEMENT' }),
  'node-selector': Flags.string({ summary: 'Run only on nodes with this label, key=value; repeatable.', multiple: true, helpGroup: 'PLACEMENT' }),
  'allow-unschedulable': Flags.boolean({ summary: 'Create even if no node can run the VM yet; it waits Pending.', helpGroup: 'PLACEMENT' }),
  'shutdown-timeout': Flags.string({ summary: `Seconds the guest gets to power down when stopped (default ${VM_DEFAULTS.shutdownTimeout}).`, helpGroup: 'PLACEMENT' }),
  'on-guest-shutdown': Flags.string({ summary: `When the guest powers itself off: restart it (default), or stop the VM until kubectl berth start.`, helpValue: 'restart|stop', helpGroup: 'PLACEMENT' }),
  firmware: Flags.string({ summary: `bios (default: SeaBIOS), or uefi: OVMF, its variable store kept on the VM's disk volume.`, helpValue: 'bios|uefi', helpGroup: 'BOOT' }),
  'secure-boot': Flags.boolean({ summary: "With --firmware uefi: Secure Boot on, Microsoft's keys enrolled (q35 machine with SMM).", helpGroup: 'BOOT' }),
};

/** The VM flags as oclif hands them over: strings as typed, so every message is ours. */
export type VmFlags = Interfaces.InferredFlags<typeof vmFlags>;
