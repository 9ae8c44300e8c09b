#!/usr/bin/env bash
# Builds what the local cluster runs from the Go module proxy, each into a cache directory keyed by
# its version (~/.cache/kubectl-berth/builds/NAME-VERSION), so a second run costs nothing and two
# Kubernetes versions live side by side:
#   kubernetes  kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy,
#               kubectl, and the pause binary from the same release's source
#   containerd  containerd, its runc shim and ctr (-tags no_btrfs: no C headers needed)
#   runc        with cgo and -tags seccomp against Debian's libseccomp (a runc without seccomp
#               fails every pod that asks for RuntimeDefault, as Pod Security "restricted" does)
#   etcd        etcd and etcdctl
#   coredns     CoreDNS with the plugins a cluster DNS uses (coredns/main.go), for kube-dns
#   local-path-provisioner  rancher's dynamic provisioner, for the StorageClass every node mounts
# Each is built in a small helper module that requires the project's module: `go install …@version`
# refuses modules whose go.mod carries replace or exclude directives, and Kubernetes' go.mod
# requires its staging modules at v0.0.0, which the helper replaces with the matching v0.X.Y.
# Usage: test/cluster/build.sh   (BERTH_K8S_VERSION picks the Kubernetes release; see versions.sh)
# Prints the Kubernetes release it built or found on its last line of stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.sh
source "$here/versions.sh"
export PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null || { echo "build: Go is missing (expected in /usr/local/go)" >&2; exit 1; }
say() { printf 'build: %s\n' "$*" >&2; }
mkdir -p "$BUILDS"
# Helper modules declare the Go at hand, so no dependency asks the go command to switch toolchains.
GO_LINE=$(go env GOVERSION | sed 's/^go//')

# lock_build DIR: waits for, then holds, DIR's lock until unlock_build, so two runs that want one
# version (CI's background build of the oldest minor and the tests' own prepare) never write its
# directory at once; the second finds it done. Builds of other versions go on side by side.
lock_build() {
  exec {build_lock}>"$1.lock"
  flock -n "$build_lock" && return 0
  say "$(basename "$1"): another run is building it; waiting for that build"
  flock "$build_lock"
}
unlock_build() { exec {build_lock}>&-; }

# go_build NAME VERSION CGO TAGS LDFLAGS GO_MOD PACKAGE...: builds PACKAGEs into
# $BUILDS/NAME-VERSION/bin unless that directory is complete. The Go build and module caches are
# the user's usual ones, so the builds share compiled packages. MAIN_GO=FILE puts FILE in the
# helper module as main.go, for a main package of our own (PACKAGE "."), which is then named NAME.
# POST_BUILD=FUNCTION is called with the new bin directory before it counts as complete.
go_build() {
  local name=$1 version=$2 cgo=$3 tags=$4 ldflags=$5 gomod=$6; shift 6
  local dir=$BUILDS/$name-$version t0=$SECONDS
  lock_build "$dir"
  if [ -f "$dir/.done" ]; then unlock_build; return 0; fi
  rm -rf "$dir"; mkdir -p "$dir/src" "$dir/bin.tmp"
  printf '%s\n' "$gomod" >"$dir/src/go.mod"
  [ -z "${MAIN_GO:-}" ] || cp "$MAIN_GO" "$dir/src/main.go"
  say "$name $version: building $(printf '%s ' "$@")(log: $dir/build.log)"
  # -v lists each package as it is compiled: a minute-by-minute count shows that a long build moves.
  (cd "$dir/src" && exec env GOFLAGS=-mod=mod CGO_ENABLED="$cgo" go build -v -trimpath -tags "$tags" \
      -ldflags "-s -w $ldflags" -o "$dir/bin.tmp/" "$@") >"$dir/build.log" 2>&1 &
  local pid=$! next=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$next" ]; then
      say "$name $version: $((SECONDS - t0))s, $(grep -c -v '^go: ' "$dir/build.log") packages compiled"
      next=$((SECONDS + 60))
    fi
    sleep 1
  done
  if ! wait "$pid"; then
    say "$name $version: build failed; last lines of $dir/build.log:"; tail -20 "$dir/build.log" >&2
    return 1
  fi
  [ -z "${POST_BUILD:-}" ] || "$POST_BUILD" "$dir/bin.tmp"
  mv "$dir/bin.tmp" "$dir/bin"
  touch "$dir/.done"
  unlock_build
  say "$name $version: built in $((SECONDS - t0))s"
}

# ---- Kubernetes ---------------------------------------------------------------------------------
K8S_VERSION=$(resolve_k8s_version)
k8s_dir=$BUILDS/kubernetes-$K8S_VERSION
if [ ! -f "$k8s_dir/.done" ]; then
  staging_version=v0.${K8S_VERSION#v1.}
  # The release's module: its go.mod names the staging modules (those it points at ./staging), and
  # its source holds the pause container's C file.
  download=$(cd / && GOFLAGS= go mod download -json "k8s.io/kubernetes@$K8S_VERSION") || true
  k8s_mod=$(sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p' <<<"$download")
  k8s_src=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$download")
  [ -f "$k8s_mod" ] && [ -d "$k8s_src" ] || { say "cannot fetch k8s.io/kubernetes@$K8S_VERSION from the Go module proxy"; exit 1; }
  go_directive=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$k8s_mod")
  replaces=$(sed -n 's#^\t\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\t\1 => \1 '"$staging_version"'#p' "$k8s_mod")
  gomod="module berth.local/build/kubernetes
go $go_directive
require k8s.io/kubernetes $K8S_VERSION
replace (
$replaces
)"
  IFS=. read -r major minor _ <<<"${K8S_VERSION#v}"
  # What the binaries report as their version (the servers' and kubectl's packages alike).
  ldflags="-X k8s.io/component-base/version.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=$major -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
  done
  # The sandbox ("pause") container: the release's own C source, static, as its Dockerfile builds it.
  build_pause() { gcc -Os -static -DVERSION="$K8S_VERSION" -o "$1/pause" "$k8s_src/build/pause/linux/pause.c"; }
  POST_BUILD=build_pause go_build kubernetes "$K8S_VERSION" 0 "" "$ldflags" "$gomod" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy \
    k8s.io/kubernetes/cmd/kubectl
fi

# ---- containerd, runc, etcd ---------------------------------------------------------------------
go_build containerd "$CONTAINERD_VERSION" 0 no_btrfs \
  "-X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
  "module berth.local/build/containerd
go $GO_LINE
require github.com/containerd/containerd/v2 $CONTAINERD_VERSION" \
  github.com/containerd/containerd/v2/cmd/containerd github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
  github.com/containerd/containerd/v2/cmd/ctr

pkg-config --exists libseccomp 2>/dev/null || { say "libseccomp-dev is missing: run test/setup/install-deps.sh"; exit 1; }
go_build runc "$RUNC_VERSION" 1 "seccomp urfave_cli_no_docs" "-X main.version=${RUNC_VERSION#v}" \
  "module berth.local/build/runc
go $GO_LINE
require github.com/opencontainers/runc $RUNC_VERSION" \
  github.com/opencontainers/runc

# go build names a .../server/v3 main package after its "server" element.
name_etcd() { mv "$1/server" "$1/etcd"; }
POST_BUILD=name_etcd go_build etcd "$ETCD_VERSION" 0 "" "" \
  "module berth.local/build/etcd
go $GO_LINE
require (
	go.etcd.io/etcd/server/v3 $ETCD_VERSION
	go.etcd.io/etcd/etcdctl/v3 $ETCD_VERSION
)" \
  go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3

# ---- CoreDNS ------------------------------------------------------------------------------------
# Its own main package with a cluster DNS's plugins: compiled from an empty Go cache in a fraction of
# the time CoreDNS's full plugin set takes (README, test cluster).
MAIN_GO=$here/coredns/main.go go_build coredns "$COREDNS_VERSION" 0 "" "" \
  "module berth.local/build/coredns
go $GO_LINE
require github.com/coredns/coredns $COREDNS_VERSION" \
  .

# ---- local-path-provisioner --------------------------------------------------------------------
go_build local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" 0 "" "" \
  "module berth.local/build/local-path-provisioner
go $GO_LINE
require github.com/rancher/local-path-provisioner $LOCAL_PATH_PROVISIONER_VERSION" \
  github.com/rancher/local-path-provisioner

echo "$K8S_VERSION"
