#!/usr/bin/env bash
# Builds a Debian 12 (bookworm) cloud guest offline from Debian's archive, the way users' cloud
# images are: Debian's cloud kernel, cloud-init 22.4 (NoCloud: it reads the `cidata` seed the
# launcher attaches), OpenSSH with sftp-server, systemd with a getty on ttyS0, systemd-logind for
# the ACPI power button, the default user `debian` from Debian's cloud.cfg, and GRUB in the MBR
# so that it boots from its own disk. cloud-init's growpart and resizefs grow / to the disk at
# first boot, so a pet disk larger than the image works.
#
# No mount and no loop device: mmdebstrap installs into a directory, `mke2fs -d` writes that
# directory as an ext4 file system straight into the disk image at the partition's offset, and
# GRUB's boot.img and core.img (grub-mkimage, with its config embedded) go into the MBR and the
# gap before the partition with dd. So the build runs where loop devices are missing or shared.
#
# Output (idempotent; rebuilt only when an input changes: this script, lib.sh, the candidate
# versions of the packages that matter, GRUB):
#   ~/.cache/kubectl-berth/guest/debian-12.qcow2         compressed qcow2, 2 GiB virtual
#   ~/.cache/kubectl-berth/guest/debian-12.qcow2.sha256  its sha256 (hex only)
# Needs root, mmdebstrap, grub-pc-bin, e2fsprogs, fdisk, qemu-utils (test/setup/install-deps.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
guest_name=debian-guest
# shellcheck source=lib.sh
. "$here/lib.sh"
out=$guest_cache/debian-12.qcow2
stamp_file=$guest_cache/debian-12.inputs
SUITE=bookworm
MIRROR=${BERTH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${BERTH_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
DISK_MIB=2048          # virtual size, as Debian's own cloud images; the pet disk grows it
PART_START=2048        # sectors: 1 MiB, the gap before it holds GRUB's core.img
ROOT_LABEL=debian-root

# What the guest needs beyond --variant=minbase (Recommends are not installed):
PACKAGES=(
  linux-image-cloud-amd64 initramfs-tools   # the cloud kernel; initramfs with the virtio drivers
  systemd-sysv udev dbus libpam-systemd     # systemd as init; logind (needs dbus) handles ACPI power
  cloud-init cloud-guest-utils sudo         # NoCloud, growpart, the default user's sudo
  ifupdown isc-dhcp-client iproute2 netbase # cloud-init's eni renderer; dhclient takes the pod's DNS
  openssh-server                            # with openssh-sftp-server (a Depends)
  e2fsprogs                                 # resize2fs for resizefs, fsck of /
)
for tool in mmdebstrap grub-mkimage mke2fs sfdisk qemu-img; do
  command -v "$tool" >/dev/null || { guest_log "$tool is missing: run test/setup/install-deps.sh"; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { guest_log "needs root (mmdebstrap --mode=root, file ownership in the image)"; exit 1; }

kpkg=$(guest_kernel_pkg linux-image-cloud-amd64)
[ -n "$kpkg" ] || { guest_log "cannot resolve Debian's cloud kernel package (apt-get update?)"; exit 1; }
stamp=$( { sha256sum < "$0"; sha256sum < "$here/lib.sh"; echo "$kpkg $SUITE $MIRROR $SECURITY $DISK_MIB";
           guest_candidates "${PACKAGES[@]}" systemd python3 openssh-sftp-server;
           dpkg-query -W -f='${Package} ${Version}\n' grub-pc-bin; } | sha256sum | cut -c1-64)
guest_up_to_date "$out" "$stamp_file" "$stamp" && exit 0

started=$SECONDS
work=$(mktemp -d "$guest_cache/debian-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
uuid=$(cat /proc/sys/kernel/random/uuid)

# ---- root file system -------------------------------------------------------------------------
# The guest's own configuration, written into the tree by mmdebstrap's hooks (run on the host
# with the tree as $1). Before the packages: initramfs settings, so that the kernel's postinst
# builds the one initramfs we keep. After: everything else.
cat > "$work/essential-hook" <<EOF
#!/bin/sh
set -e
mkdir -p "\$1/etc/initramfs-tools/conf.d" "\$1/usr/share/initramfs-tools/modules.d"
# gzip: no zstd in the guest; MODULES=most keeps every storage and virtio driver
printf 'COMPRESS=gzip\nMODULES=most\n' > "\$1/etc/initramfs-tools/conf.d/berth.conf"
printf 'virtio_pci\nvirtio_blk\nvirtio_scsi\nvirtio_net\nvirtio_rng\next4\n' > "\$1/usr/share/initramfs-tools/modules.d/berth-virtio"
EOF
cat > "$work/customize-hook" <<EOF
#!/bin/sh
set -e
r=\$1
printf 'UUID=$uuid / ext4 rw,discard,errors=remount-ro 0 1\n' > "\$r/etc/fstab"
echo debian > "\$r/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n' > "\$r/etc/hosts"
# cloud-init's eni renderer writes interfaces.d/50-cloud-init
printf 'source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n' > "\$r/etc/network/interfaces"
# Our datasource alone (no probing of clouds that are not there); C.UTF-8 needs no locale-gen.
cat > "\$r/etc/cloud/cloud.cfg.d/99_berth.cfg" <<'CFG'
# kubectl-berth test guest: the launcher attaches a NoCloud seed (volume label cidata)
datasource_list: [ NoCloud, None ]
locale: C.UTF-8
# as Debian's cloud images: the hostname resolves (sudo asks), written from a template each boot
manage_etc_hosts: true
CFG
# A host key even if cloud-init's ssh module did not run (cloud-init replaces them per instance)
mkdir -p "\$r/etc/systemd/system/ssh.service.d"
printf '[Service]\nExecStartPre=\nExecStartPre=-/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n' > "\$r/etc/systemd/system/ssh.service.d/berth-hostkeys.conf"
# No timers that would fetch from the network or scrub the disk behind a test's back, and no
# e2scrub_reap at boot (26 s of a TCG boot, for LVM snapshots this guest does not have)
rm -f "\$r"/etc/systemd/system/timers.target.wants/apt-daily*.timer "\$r"/etc/systemd/system/timers.target.wants/e2scrub*.timer \
  "\$r/etc/systemd/system/multi-user.target.wants/e2scrub_reap.service"
# Per-instance identity comes at first boot: no machine-id, no ssh host keys, no resolv.conf
: > "\$r/etc/machine-id"
rm -f "\$r"/etc/ssh/ssh_host_* "\$r/etc/resolv.conf" "\$r/var/lib/dbus/machine-id"
rm -rf "\$r"/var/log/*.log "\$r"/var/log/apt/*   # mmdebstrap's own cleanup empties apt's lists and cache
EOF
chmod 755 "$work/essential-hook" "$work/customize-hook"

include=$(IFS=,; echo "${PACKAGES[*]}")
guest_log "bootstrapping Debian $SUITE with $kpkg, cloud-init and OpenSSH from $MIRROR (several minutes)"
# mmdebstrap reads the sources from stdin in deb822-less one-line form
printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
  "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" "$SECURITY" "$SUITE" |
  mmdebstrap --mode=root --variant=minbase --format=directory --include="$include" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/i18n/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --dpkgopt='path-exclude=/usr/share/bash-completion/*' --dpkgopt='path-exclude=/usr/share/zsh/*' \
    --essential-hook="$work/essential-hook" --customize-hook="$work/customize-hook" \
    "$SUITE" "$root" - > "$work/mmdebstrap.log" 2>&1 ||
  { tail -40 "$work/mmdebstrap.log" >&2; guest_log "mmdebstrap failed (log above)"; exit 1; }
guest_log "bootstrapped in $((SECONDS - started))s: $(du -sm "$root" | cut -f1) MiB"

kver=${kpkg#linux-image-}
[ -e "$root/boot/vmlinuz-$kver" ] && [ -e "$root/boot/initrd.img-$kver" ] || { guest_log "no kernel or initramfs for $kver in the tree"; exit 1; }
# Debian points /vmlinuz and /initrd.img at the newest kernel; GRUB boots those, so a kernel
# upgrade inside the guest is booted next time without a GRUB of its own.
ln -sfn "boot/vmlinuz-$kver" "$root/vmlinuz"
ln -sfn "boot/initrd.img-$kver" "$root/initrd.img"

# ---- disk: MBR, one ext4 partition, GRUB ------------------------------------------------------
guest_log "writing the ext4 file system (mke2fs -d) and GRUB"
img=$work/disk.raw
truncate -s "${DISK_MIB}M" "$img"
printf 'label: dos\nstart=%d, type=83, bootable\n' "$PART_START" | sfdisk -q "$img"
part_bytes=$(( DISK_MIB * 1024 * 1024 - PART_START * 512 ))
mke2fs -q -F -t ext4 -L "$ROOT_LABEL" -U "$uuid" -d "$root" \
  -E "offset=$((PART_START * 512)),root_owner=0:0" "$img" "$((part_bytes / 1024))k"
# core.img: the MBR stage 2, with what it needs to find / by UUID and boot Debian's symlinks; its
# embedded config runs in GRUB's rescue parser, without a menu (nothing to wait for).
cat > "$work/grub-embedded.cfg" <<EOF
search --no-floppy --fs-uuid --set=root $uuid
set prefix=(\$root)/boot/grub
linux /vmlinuz root=UUID=$uuid ro console=tty0 console=ttyS0,115200n8
initrd /initrd.img
boot
EOF
grub-mkimage -O i386-pc -o "$work/core.img" -c "$work/grub-embedded.cfg" -p /boot/grub \
  biosdisk part_msdos ext2 search search_fs_uuid linux boot
core_sectors=$(( ($(stat -c %s "$work/core.img") + 511) / 512 ))
[ "$core_sectors" -lt "$PART_START" ] || { guest_log "core.img ($core_sectors sectors) does not fit before the partition"; exit 1; }
# boot.img's code only (440 bytes): the partition table stays. It loads core.img from sector 1.
dd if=/usr/lib/grub/i386-pc/boot.img of="$img" bs=440 count=1 conv=notrunc status=none
dd if="$work/core.img" of="$img" bs=512 seek=1 conv=notrunc status=none

guest_log "compressing the qcow2"
qemu-img convert -c -f raw -O qcow2 -o cluster_size=65536 "$img" "$work/debian-12.qcow2"
guest_publish "$work/debian-12.qcow2" "$out" "$stamp_file" "$stamp"
guest_log "cold build took $((SECONDS - started))s"
