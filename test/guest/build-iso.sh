#!/usr/bin/env bash
# Builds a small bootable install ISO offline from the test guest (build.sh) and Debian's isolinux:
# the guest's own kernel and initramfs behind ISOLINUX (El Torito, no emulation), plus a marker
# file. Booted from the CD, the guest is the test guest (dropbear, the cidata seed), so a VM made
# with `create --blank-disk --cdrom` is reachable over ssh; mounted as a CD, the marker reads back.
#
# Output (idempotent; rebuilt only when an input changes):
#   $guest_cache/install.iso          the ISO
#   $guest_cache/install.iso.sha256   its sha256 (hex only)
# The marker file on it is /BERTH-MEDIA.TXT, whose first line is "berth install media".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
guest_name=install-iso
# shellcheck source=lib.sh
. "$here/lib.sh"
cache=$guest_cache
out=$cache/install.iso
guest=$cache/guest.qcow2
log() { guest_log "$@"; }
[ -f "$guest.sha256" ] || { log "the test guest is missing ($guest): run test/guest/build.sh first"; exit 1; }

# isolinux.bin comes from Debian's isolinux package (fetched, not installed); ldlinux.c32 from
# syslinux-common, which build.sh's syslinux already needs.
stamp=$( { sha256sum < "$0"; cat "$guest.sha256"; guest_candidates isolinux; dpkg-query -W -f='${Version}\n' syslinux-common xorriso; } | sha256sum | cut -c1-64)
guest_up_to_date "$out" "$cache/install.inputs" "$stamp" && exit 0

work=$(mktemp -d "$cache/iso.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q -o APT::Sandbox::User=root isolinux >/dev/null)
dpkg-deb -x "$work"/isolinux_*.deb "$work/pkg"

tree=$work/tree
mkdir -p "$tree/isolinux"
cp "$work/pkg/usr/lib/ISOLINUX/isolinux.bin" /usr/lib/syslinux/modules/bios/ldlinux.c32 "$tree/isolinux/"
# the guest's kernel and initramfs, from its boot partition (FAT at 1 MiB)
qemu-img convert -f qcow2 -O raw "$guest" "$work/guest.raw"
MTOOLS_SKIP_CHECK=1 mcopy -i "$work/guest.raw@@1M" ::/vmlinuz ::/initrd.gz "$tree/"
cat > "$tree/isolinux/isolinux.cfg" <<'CFG'
DEFAULT berth
PROMPT 0
TIMEOUT 0
LABEL berth
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND console=ttyS0 quiet panic=-1
CFG
printf 'berth install media\n' > "$tree/BERTH-MEDIA.TXT"
xorriso -as mkisofs -quiet -o "$work/install.iso" -V BERTHMEDIA -J -R \
  -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table "$tree"
guest_publish "$work/install.iso" "$out" "$cache/install.inputs" "$stamp"
