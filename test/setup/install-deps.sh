#!/usr/bin/env bash
# Installs the Debian packages the tests, the local cluster, the test guest and the berth image
# need. Idempotent: installs only what is missing, and runs apt-get update only then.
set -euo pipefail
PACKAGES=(
  # local cluster
  containernetworking-plugins conntrack iptables jq rsync openssl podman
  # building runc with seccomp (test/cluster/build.sh): cgo against Debian's libseccomp
  gcc libc6-dev libseccomp-dev pkg-config
  # VM launcher, test guest and berth image
  qemu-system-x86 qemu-utils seabios ipxe-qemu genisoimage xorriso
  debootstrap busybox-static dropbear-bin openssh-client openssh-sftp-server cpio socat netcat-openbsd iproute2 procps kmod zstd xz-utils
  syslinux syslinux-common mtools dosfstools fdisk e2fsprogs curl iputils-ping time
  # the Debian 12 guest (test/guest/build-debian.sh): a root tree from the archive, GRUB for its MBR
  mmdebstrap grub-pc-bin
  # benchmarks
  hyperfine
  # the network-path benchmark (test/bench/net-paths.ts) compares passt, as issue 13 asks; never in the berth image
  passt
  # shell completion scripts (tested for real)
  zsh fish bash-completion
  # the browser that opens `kubectl berth vnc --web`'s page in the tests (driven by playwright-core)
  chromium
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then echo "debian packages: all present"; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "debian packages missing: ${missing[*]}; run this as root (or install them yourself)" >&2
  exit 1
fi
echo "debian packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "debian packages: installed"
