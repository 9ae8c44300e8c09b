#!/usr/bin/env bash
# Builds the test guest offline from Debian's packages: Debian kernel + busybox-static initramfs +
# dropbear + socat (busybox's nc has no UDP), on an MBR disk that SYSLINUX boots (so the VM boots
# from its disk like a cloud image). Under UEFI (create --firmware uefi) OVMF finds no boot loader on
# the disk and starts its UEFI shell, which runs startup.nsh from the boot partition: it starts the
# same kernel (an EFI stub) with the same initrd and command line. The guest then mounts efivarfs,
# so it can write UEFI variables into the VM's variable store.
# The guest's /init is a tiny cloud-init: ssh_authorized_keys from the cidata user-data, hostname
# from meta-data local-hostname. A second FAT partition (label BERTHDATA) is mounted rw at /data,
# so "a file the guest wrote survives a restart" is testable. The ACPI power button powers it off.
#
# Output (idempotent; rebuilt only when an input changes):
#   ~/.cache/kubectl-berth/guest/guest.qcow2         plain qcow2, no backing file
#   ~/.cache/kubectl-berth/guest/guest.qcow2.sha256  its sha256 (hex only)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
guest_name=guest
# shellcheck source=lib.sh
. "$here/lib.sh"
cache=$guest_cache
out=$cache/guest.qcow2
log() { guest_log "$@"; }
mkdir -p "$cache/kernel"

# The kernel Debian's meta-package currently points at (apt metadata only, no network).
kpkg=${BERTH_GUEST_KERNEL_PKG:-$(guest_kernel_pkg linux-image-amd64)}
[ -n "$kpkg" ] || { log "cannot resolve the Debian kernel package (apt-get update?)"; exit 1; }
kver=${kpkg#linux-image-}

# Inputs: this script and lib.sh, the kernel, busybox, dropbear, socat. Same inputs + existing output =
# nothing to do.
stamp=$( { sha256sum < "$0"; sha256sum < "$here/lib.sh"; echo "$kpkg"; dpkg-query -W -f='${Version}\n' busybox-static dropbear-bin socat; } | sha256sum | cut -c1-64)
guest_up_to_date "$out" "$cache/inputs" "$stamp" && exit 0

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

kroot=$cache/kernel/$kver
if [ ! -f "$kroot/boot/vmlinuz-$kver" ]; then
  log "fetching $kpkg"
  (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$kpkg" >/dev/null)
  rm -rf "$kroot.tmp" && mkdir -p "$kroot.tmp"
  dpkg-deb -x "$work"/linux-image-*.deb "$kroot.tmp"
  depmod -b "$kroot.tmp" "$kver"
  rm -rf "$kroot" && mv "$kroot.tmp" "$kroot"
  rm -f "$work"/linux-image-*.deb
fi

log "building rootfs"
r=$work/rootfs
mkdir -p "$r"/{bin,sbin,dev,proc,sys,run,tmp,data,mnt/cidata,etc/dropbear,root/.ssh,lib/modules,usr/share/udhcpc,var/log}
chmod 700 "$r/root" "$r/root/.ssh"
cp /bin/busybox "$r/bin/busybox"
ln -s busybox "$r/bin/sh"

copy_bin() {  # a dynamic binary plus the shared libraries it needs
  install -D -m755 "$1" "$r$2"
  ldd "$1" | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | while read -r lib; do
    [ -e "$r$lib" ] || install -D -m755 "$lib" "$r$lib"
  done
}
copy_bin /usr/sbin/dropbear /bin/dropbear
# the network tests listen on UDP in the guest
copy_bin /usr/bin/socat /bin/socat

# insmod does not resolve dependencies: keep modprobe's order, each module once.
# button + evdev: the ACPI power button becomes /dev/input/eventN, which /init watches.
# ata_piix + sr_mod: an install CD (create --cdrom, an IDE CD-ROM) is /dev/sr0.
mods="virtio_pci virtio_net virtio_blk virtio_rng isofs button evdev vfat nls_cp437 nls_utf8 nls_ascii ata_piix sr_mod"
for m in $mods; do modprobe -d "$kroot" -S "$kver" --show-depends "$m"; done |
  awk '$1=="insmod"{print $2}' | awk '!seen[$0]++' | while read -r f; do
    name=$(basename "$f"); name=${name%%.ko*}
    case "$f" in
      *.ko) cp "$f" "$r/lib/modules/$name.ko" ;;
      *.ko.xz) xz -dc "$f" > "$r/lib/modules/$name.ko" ;;
      *.ko.zst) zstd -qdc "$f" > "$r/lib/modules/$name.ko" ;;
    esac
    echo "$name" >> "$r/lib/modules/order"
  done
# efivarfs refuses to load without UEFI: /init loads it only on a UEFI boot, not with the rest.
modprobe -d "$kroot" -S "$kver" --show-depends efivarfs | awk '$1=="insmod"{print $2}' | while read -r f; do
  case "$f" in
    */efivarfs.ko) cp "$f" "$r/lib/modules/efivarfs.ko" ;;
    *) log "efivarfs depends on $f, which the build does not copy"; exit 1 ;;
  esac
done
[ -f "$r/lib/modules/efivarfs.ko" ] || { log "no efivarfs module in $kpkg"; exit 1; }

echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
echo 'root:x:0:' > "$r/etc/group"
echo '/bin/sh' > "$r/etc/shells"
dropbearkey -t ed25519 -f "$r/etc/dropbear/dropbear_ed25519_host_key" >/dev/null 2>&1

cat > "$r/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/sh
# udhcpc hook: address, MTU, default route, resolv.conf (nameservers + search domains)
case "$1" in
  deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    : > /etc/resolv.conf
    [ -n "$search" ] && echo "search $search" >> /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    echo "ip=$ip mask=$mask mtu=$mtu router=$router dns=$dns search=$search" > /run/dhcp.env ;;
esac
exit 0
EOF
chmod 755 "$r/usr/share/udhcpc/default.script"

cat > "$r/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /dev/pts; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /run
log() { echo "BERTH-GUEST $*" > /dev/console; }
log "init start"
for m in $(cat /lib/modules/order); do insmod "/lib/modules/$m.ko" 2>/dev/null || log "insmod $m failed"; done
# booted by UEFI (startup.nsh): the firmware's variables, as a distribution mounts them
if [ -d /sys/firmware/efi ]; then
  if insmod /lib/modules/efivarfs.ko && mount -t efivarfs efivarfs /sys/firmware/efi/efivars; then
    log "uefi: efivarfs mounted"
  else
    log "uefi: efivarfs failed"
  fi
fi

ip link set lo up
ip link set eth0 up
# dnsmasq sends only the options a client asks for: ask for search domains and MTU
udhcpc -i eth0 -s /usr/share/udhcpc/default.script -t 30 -T 1 -A 1 -O search -O mtu -b -p /run/udhcpc.pid >/dev/null 2>&1
log "dhcp $(cat /run/dhcp.env 2>/dev/null)"

# Minimal cloud-init (NoCloud): the seed is the iso9660 volume labelled cidata
if d=$(findfs LABEL=cidata 2>/dev/null) && mount -t iso9660 -o ro "$d" /mnt/cidata; then
  hn=$(sed -n 's/^local-hostname: *//p' /mnt/cidata/meta-data | tr -d "\"'\r")
  [ -n "$hn" ] && hostname "$hn"
  # every "- <key>" list item under ssh_authorized_keys: (top level or in users:) in user-data,
  # and under public-keys: in meta-data (where kubectl-berth puts keys it cannot merge)
  awk '/(ssh_authorized_keys|public-keys):/{on=1; next} on && /^[ \t]*- /{sub(/^[ \t]*- */,""); gsub(/^["'\'']|["'\'']$/,""); print; next} on{on=0}' \
    /mnt/cidata/user-data /mnt/cidata/meta-data > /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
  # users: named in user-data log in as root's aliases (same uid, home and keys)
  for u in $(awk '/^users:/{on=1; next} on && /^[^ \t-]/{on=0} on && /name:/{sub(/.*name:[ \t]*/,""); gsub(/["'\'']/,""); print}' /mnt/cidata/user-data); do
    [ "$u" = root ] || echo "$u:x:0:0:$u:/root:/bin/sh" >> /etc/passwd
  done
  log "cloud-init instance-id=$(sed -n 's/^instance-id: *//p' /mnt/cidata/meta-data) hostname=$(hostname) keys=$(grep -c . /root/.ssh/authorized_keys)"
else
  log "cloud-init: no cidata seed"
fi
hostname > /etc/hostname

# Persistent data: FAT partition BERTHDATA on the boot disk
if d=$(findfs LABEL=BERTHDATA 2>/dev/null) && mount -t vfat "$d" /data; then
  n=$(( $(cat /data/boots 2>/dev/null || echo 0) + 1 )); echo "$n" > /data/boots; sync
  log "data mounted from $d, boot number $n"
fi

# ACPI power button -> clean poweroff. Debian builds the ACPI button driver as a module; with it
# and evdev loaded the button is an input device, and any event read from it means "pressed".
power_off() {
  log "power button pressed: shutting down"
  killall dropbear httpd 2>/dev/null; sync; umount /data 2>/dev/null
  log "halted cleanly, powering off"
  poweroff -f
}
for dev in /sys/class/input/input*; do
  [ "$(cat "$dev/name" 2>/dev/null)" = "Power Button" ] || continue
  for ev in "$dev"/event*; do
    ( head -c 1 "/dev/input/${ev##*/}" >/dev/null && power_off ) &
    log "watching power button /dev/input/${ev##*/}"
  done
done

dropbear -r /etc/dropbear/dropbear_ed25519_host_key -p 22 -s -E 2>>/var/log/dropbear.log
log "ready hostname=$(hostname)"
while :; do sleep 3600; done
EOF
chmod 755 "$r/init"

(cd "$r" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -6 > "$work/initrd.gz"
cp "$kroot/boot/vmlinuz-$kver" "$work/vmlinuz"

log "packing disk"
# 64 MiB: p1 FAT16 boot (1..31 MiB, SYSLINUX, kernel, initrd), p2 FAT16 data BERTHDATA (31..64 MiB)
img=$work/disk.raw
truncate -s 64M "$img"
printf 'label: dos\nstart=2048, size=61440, type=6, bootable\nstart=63488, size=67584, type=6\n' | sfdisk -q "$img"
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$img" bs=440 count=1 conv=notrunc status=none
mkfs.vfat -F 16 -n BERTHBOOT --offset 2048 "$img" $((61440 / 2)) >/dev/null 2>&1
mkfs.vfat -F 16 -n BERTHDATA --offset 63488 "$img" $((67584 / 2)) >/dev/null 2>&1
syslinux --install --offset $((2048 * 512)) "$img"
# One kernel command line for both boots.
cmdline='console=ttyS0 quiet panic=-1'
cat > "$work/syslinux.cfg" <<EOF
DEFAULT berth
PROMPT 0
TIMEOUT 0
LABEL berth
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND $cmdline
EOF
# UEFI: OVMF's shell runs startup.nsh from the first file system whose root holds one. Which fsN
# the boot partition maps to depends on the devices (data disks, a CD), so it looks for the kernel;
# the EFI stub reads initrd= from the volume it was started from.
cat > "$work/startup.nsh" <<EOF
@echo -off
for %i in 0 1 2 3 4 5 6 7 8 9
  if exist fs%i:\\vmlinuz then
    fs%i:
    echo "berth: booting fs%i:\\vmlinuz"
    \\vmlinuz initrd=\\initrd.gz $cmdline
  endif
endfor
EOF
MTOOLS_SKIP_CHECK=1 mcopy -i "$img@@1M" "$work/syslinux.cfg" "$work/startup.nsh" "$work/vmlinuz" "$work/initrd.gz" ::/
qemu-img convert -f raw -O qcow2 "$img" "$work/guest.qcow2"
guest_publish "$work/guest.qcow2" "$out" "$cache/inputs" "$stamp"
