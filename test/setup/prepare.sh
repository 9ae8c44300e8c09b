#!/usr/bin/env bash
# Everything `npm test` needs before mocha runs, each step idempotent and cached under
# ~/.cache/kubectl-berth: Debian packages, the Kubernetes binaries, the local cluster, the test
# guest images and the berth container image imported into the cluster.
# The Debian 12 guest (test/e2e/debian-guest.test.ts boots it) took 4 to 9 minutes to build on the
# 2-core test machine, depending on its load, and a few seconds to find up to date afterwards;
# BERTH_DEBIAN_GUEST=0 leaves it out here (the Debian test then builds it itself when it runs as
# root, and otherwise skips, saying why). The demo passes 1 only for `--guest debian`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
step() { printf '\n==> %s\n' "$*" >&2; }
step "Debian packages";            bash "$here/install-deps.sh"
step "Kubernetes, containerd, runc, etcd and CoreDNS from the Go module proxy"
                                   bash "$root/test/cluster/build.sh" >/dev/null
step "local cluster";              bash "$root/test/cluster/up.sh"
step "test guest image";           bash "$root/test/guest/build.sh"
if [ "${BERTH_DEBIAN_GUEST:-1}" != 0 ]; then
  step "Debian 12 guest image";    bash "$root/test/guest/build-debian.sh"
fi
step "berth container image";      bash "$root/test/image/build.sh"
