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
# The names come from the archive itself (ctr's progress lines mangle them): an OCI index's ref
# names, or a docker-save manifest's RepoTags. Each must then be in containerd.
names=$({ tar -xOf "$1" index.json 2>/dev/null | jq -r '.manifests[].annotations // {} | (."io.containerd.image.name" // ."org.opencontainers.image.ref.name" // empty)'
          tar -xOf "$1" manifest.json 2>/dev/null | jq -r '.[].RepoTags[]?'; } | sort -u || true)
[ -n "$names" ] || { echo "$out" >&2; log "no image name found in $1"; exit 1; }
present=$(ctr_k8s images ls -q 2>/dev/null)
while read -r n; do
  grep -qxF "$n" <<<"$present" || { echo "$out" >&2; log "$n is not in containerd after the import"; exit 1; }
done <<<"$names"
echo "$names"
log "imported into containerd (k8s.io): $(tr '\n' ' ' <<<"$names")"
