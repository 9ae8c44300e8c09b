#!/usr/bin/env bash
# Imports a root filesystem directory as a container image into the local cluster's containerd
# (namespace k8s.io), because no registry is reachable: pods then use it with
# imagePullPolicy IfNotPresent or Never.
# Usage: test/cluster/import-rootfs.sh ROOTFS_DIR IMAGE_REF [ENTRYPOINT_JSON]
#   e.g. test/cluster/import-rootfs.sh ./rootfs localhost/guest:1 '["/init"]'
# podman only packs the image here (it never runs a container), in a throw-away store so that
# nothing is left in, or taken from, the machine's own podman images.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
if [ $# -lt 2 ] || [ $# -gt 3 ] || [ ! -d "$1" ]; then
  echo "usage: $0 ROOTFS_DIR IMAGE_REF [ENTRYPOINT_JSON]   (ROOTFS_DIR must be a directory)" >&2
  exit 2
fi
rootfs=$1 ref=$2 entrypoint=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
podman_tmp() { podman --root "$work/storage" --runroot "$work/run" --storage-driver vfs "$@"; }

tar -C "$rootfs" --numeric-owner -cf "$work/rootfs.tar" .
podman_tmp import -q ${entrypoint:+--change "ENTRYPOINT $entrypoint"} "$work/rootfs.tar" "$ref" >/dev/null
podman_tmp save -q --format oci-archive -o "$work/image.tar" "$ref"
bash "$here/import-image.sh" "$work/image.tar"
