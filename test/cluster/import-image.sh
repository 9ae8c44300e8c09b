#!/usr/bin/env bash
# Imports an OCI (or docker-save) image archive into the local cluster's containerd, namespace
# k8s.io, where the kubelet finds it; no registry is reachable from the cluster.
# Usage: test/cluster/import-image.sh ARCHIVE      (prints the imported image names)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
if [ $# -ne 1 ] || [ ! -f "$1" ]; then echo "usage: $0 ARCHIVE   (an existing image archive)" >&2; exit 2; fi
if [ ! -S "$CTRD_SOCK" ]; then log "containerd is not running ($CTRD_SOCK missing): run test/cluster/up.sh"; exit 1; fi
out=$(ctr_k8s images import "$1" 2>&1) || { echo "$out" >&2; log "ctr could not import $1"; exit 1; }
# ctr reports "unpacking NAME (sha256:...)...done" per image.
names=$(sed -n 's/^unpacking \(.*\) (sha256:.*/\1/p' <<<"$out")
[ -n "$names" ] || { echo "$out" >&2; log "no image found in $1"; exit 1; }
echo "$names"
log "imported into containerd (k8s.io): $(tr '\n' ' ' <<<"$names")"
