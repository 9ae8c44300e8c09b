#!/usr/bin/env bash
# Stops the local cluster that up.sh started (by the PIDs it recorded, never by name), and the extra
# nodes of nodes.sh, and removes what they left on the host: pod containers, network namespaces,
# the CNI bridges, mounts, pod cgroups, routes and iptables chains. Keeps etcd, volumes, images,
# credentials and logs, so the next up.sh is a warm start of the same cluster, like a rebooted node.
# Usage: test/cluster/down.sh [--wipe]   (--wipe also empties etcd and the volume pool)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
case ${1:-} in
  "") wipe=false ;;
  --wipe) wipe=true ;;
  *) echo "usage: $0 [--wipe]" >&2; exit 2 ;;
esac
take_lock
stop_cluster
if $wipe; then
  rm -rf "$STATE/etcd" "${PV_ROOT:?}"
  log "down; etcd and volumes wiped (the next up.sh starts an empty cluster); logs kept in $LOGS"
else
  log "down; logs kept in $LOGS"
fi
