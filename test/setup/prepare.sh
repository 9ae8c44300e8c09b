#!/usr/bin/env bash
# Everything `npm test` needs before mocha runs, each step idempotent and cached under
# ~/.cache/kubectl-berth: Debian packages, the Kubernetes binaries, the local cluster, the test
# guest image and the berth container image imported into the cluster.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
step() { printf '\n==> %s\n' "$*" >&2; }
step "Debian packages";            bash "$here/install-deps.sh"
step "Kubernetes, containerd, runc and etcd from the Go module proxy"
                                   bash "$root/test/cluster/build.sh" >/dev/null
step "local cluster";              bash "$root/test/cluster/up.sh"
step "test guest image";           bash "$root/test/guest/build.sh"
step "berth container image";      bash "$root/test/image/build.sh"
