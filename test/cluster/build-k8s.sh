#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy (v1.20.2) and the pause
# binary from Debian's `kubernetes` source package, because Debian ships no server binaries and no
# other registry is reachable. The result is cached outside the clone, so only the first run pays
# the ~5 minute build. kube-proxy is there because pods (the node agent above all) reach the API
# server through the `kubernetes` Service, as on any real cluster.
set -euo pipefail
CACHE=${BERTH_CACHE:-$HOME/.cache/kubectl-berth}
BIN=$CACHE/k8s/bin
LOG=$CACHE/k8s/logs
ALL_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
mkdir -p "$BIN" "$LOG"

# Build only what is missing, so adding a binary to the list does not rebuild the others.
BINS=(); for b in "${ALL_BINS[@]}"; do [ -x "$BIN/$b" ] || BINS+=("$b"); done
if [ ${#BINS[@]} -eq 0 ] && [ -x "$BIN/pause" ]; then echo "k8s binaries: cached in $BIN"; exit 0; fi

SRC_LIST=/etc/apt/sources.list.d/kubectl-berth-deb-src.sources
if ! grep -rqs '^Types: deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  cat >"$SRC_LIST" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
fi

WORK=$(mktemp -d "$CACHE/k8s/build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "k8s binaries: fetching Debian's kubernetes source package"
(cd "$WORK" && apt-get source -qq kubernetes) >"$LOG/apt-source.log" 2>&1
K=$(ls -d "$WORK"/kubernetes-*/ | head -1)
# The Debian tarball carries no git metadata; tell the build which version it is.
cat >"$WORK/version.env" <<'VER'
KUBE_GIT_COMMIT='faecb196815e248d3ecfb03c680a4507229c2a56'
KUBE_GIT_TREE_STATE='clean'
KUBE_GIT_VERSION='v1.20.2'
KUBE_GIT_MAJOR='1'
KUBE_GIT_MINOR='20'
VER
# GOPATH mode, as debian/rules builds it: module mode fails on the vendored tree.
mkdir -p "$K/.go/src/k8s.io"
ln -sfn ../../.. "$K/.go/src/k8s.io/kubernetes"
echo "k8s binaries: building ${BINS[*]:-pause} (about 5 minutes on 2 cores for all; log: $LOG/build.log)"
what=""; for b in "${BINS[@]}"; do what+="cmd/$b "; done
[ -z "$what" ] || ( cd "$K/.go/src/k8s.io/kubernetes" &&
  env GOPATH="$K/.go" CGO_ENABLED=0 GOCACHE="$WORK/gocache" HOME="$WORK" GOFLAGS= \
      KUBE_GIT_VERSION_FILE="$WORK/version.env" make WHAT="$what" ) >"$LOG/build.log" 2>&1 ||
  { echo "k8s build failed; last lines of $LOG/build.log:" >&2; tail -20 "$LOG/build.log" >&2; exit 1; }
for b in "${BINS[@]}"; do install -m 0755 "$K/_output/local/bin/linux/amd64/$b" "$BIN/$b.tmp" && mv "$BIN/$b.tmp" "$BIN/$b"; done
gcc -Os -static -DVERSION=3.4.1 -o "$BIN/pause.tmp" "$K/build/pause/linux/pause.c" && mv "$BIN/pause.tmp" "$BIN/pause"
echo "k8s binaries: built into $BIN"
