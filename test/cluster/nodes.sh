#!/usr/bin/env bash
# Extra nodes for the local cluster, for the tests that need several (placement, failover):
# `add N` makes the cluster N nodes, the machine's own (up.sh) and berth-node-2..N; `rm` removes
# the extra ones again, so the single-node cluster the other tests share is as up.sh left it.
# Each extra node is a container of its own, as kind makes them with Docker: its own mount, PID,
# UTS and network namespaces, a root file system from Debian's archive (mmdebstrap, cached under
# ~/.cache/kubectl-berth/node-rootfs), its own containerd, kubelet and kube-proxy, /var/lib/kubelet
# (device-plugin socket included) and /var/lib/berth, joined to the machine's control plane with a
# client certificate of its own (pki.sh). Node I has the address 10.245.0.I on the host bridge
# berth-nodes0 and pods in 10.244.I.0/24, routed by the machine, so every pod reaches every other
# by its pod IP. The berth-test volume pool (storage.sh) is bound into every node at the same
# path, so a disk written on one node is read on another, as with NFS or Ceph.
# While extra nodes exist, hold /tmp/berth-cluster.lock (the lock other users of the shared cluster
# take) and `rm` them before releasing it.
# Usage: test/cluster/nodes.sh add N | rm | ls
#   BERTH_NODE_IMAGES="ref ..." names further images of the machine's containerd to copy into each
#   node (default: localhost/kubectl-berth:0.1.0, when present; pause and busybox always);
#   BERTH_NODE_IMAGES_I those of node I alone (BERTH_NODE_IMAGES_3= : node 3 runs no berth agent).
#   BERTH_NODE_CACHE_SIZE_I=SIZE gives node I a file system of SIZE (tmpfs's units: 8m, 1g) of its
#   own for berth's image cache (/var/lib/berth/images), as a node whose cache disk is small: an
#   image larger than the agent's budget on it leaves there shows NoRoom (kubectl berth images).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

usage() { echo "usage: $0 add N (2..$NODES_MAX) | rm | ls" >&2; exit 2; }
case ${1:-} in
  add) [[ ${2:-} =~ ^[0-9]+$ ]] && [ "$2" -ge 2 ] && [ "$2" -le "$NODES_MAX" ] || usage; want=$2 ;;
  rm | ls) [ $# -eq 1 ] || usage ;;
  *) usage ;;
esac

if [ "$1" = ls ]; then
  for i in $(seq 2 "$NODES_MAX"); do
    name=$(extra_node_name "$i")
    pid=$(extra_node_pid "$name") && echo "$name $(extra_node_ip "$i") pid $pid"
  done
  exit 0
fi
take_lock
if [ "$1" = rm ]; then
  stop_nodes
  log "extra nodes removed"
  exit 0
fi

kubectl --request-timeout=5s get --raw /readyz >/dev/null 2>&1 || { log "the cluster is not up: run test/cluster/up.sh first"; exit 1; }
K8S_VERSION=$(cat "$STATE/k8s-version")
K8S_BIN=$(build_bin kubernetes "$K8S_VERSION")
NODE_IP=$(node_ip)

# ---- the root file system, once per package list ------------------------------------------------
# Debian 12 minbase plus what a kubelet node needs beside the binaries built here (bound in from
# the builds, read-only): iptables and conntrack for kube-proxy, the CNI plugins, libseccomp for
# runc (built with cgo against it), iproute2 and procps.
ROOTFS_PACKAGES=iptables,iproute2,conntrack,containernetworking-plugins,libseccomp2,ca-certificates,procps
ROOTFS=$CACHE/node-rootfs/bookworm-$(sha256sum <<<"$ROOTFS_PACKAGES" | cut -c1-12)
if [ ! -f "$ROOTFS/.done" ]; then
  log "building the nodes' root file system from Debian's archive (about 3 minutes; once)"
  rm -rf "$ROOTFS" "$ROOTFS.tmp"; mkdir -p "$(dirname "$ROOTFS")"
  mmdebstrap --quiet --mode=root --variant=minbase --include="$ROOTFS_PACKAGES" \
    --aptopt='Acquire::Retries "3"' bookworm "$ROOTFS.tmp" http://deb.debian.org/debian >&2
  mv "$ROOTFS.tmp" "$ROOTFS"
  touch "$ROOTFS/.done"
fi

# ---- the machine's side of the network ---------------------------------------------------------
if ! ip link show "$NODES_BRIDGE" >/dev/null 2>&1; then
  ip link add "$NODES_BRIDGE" type bridge
  ip addr add "$NODES_GATEWAY/24" dev "$NODES_BRIDGE"
fi
ip link set "$NODES_BRIDGE" up
iptables -t nat -C "${POD_TO_POD_RULE[@]}" 2>/dev/null || iptables -t nat -I "${POD_TO_POD_RULE[@]}"

# The volume root every node mounts (storage.sh makes it; a node cannot start without it).
mkdir -p "$PV_ROOT"
node_logs() {
  local f
  for f in "$NODES/$1"/logs/*.log; do printf '%s\n' "--- $f" >&2; tail -n 15 "$f" >&2; done
}
names=()
for i in $(seq 2 "$want"); do names+=("$(extra_node_name "$i")"); done
bash "$here/pki.sh" "$NODE_IP" "${names[@]}"

# Images the nodes cannot pull (no registry is reachable): exported once from the machine's
# containerd, imported into a node whose copy differs.
present=$(ctr_k8s images ls -q)
# node_images I: the images node I holds: pause, busybox and those BERTH_NODE_IMAGES_I (or else
# BERTH_NODE_IMAGES) names, as far as the machine has them. A node given no berth image runs no
# agent (its pod cannot start), as a node whose agent is broken.
node_images() {
  local var=BERTH_NODE_IMAGES_$1 ref
  echo "$PAUSE_IMAGE"; echo "$BUSYBOX_IMAGE"
  for ref in ${!var-${BERTH_NODE_IMAGES-localhost/kubectl-berth:0.1.0}}; do
    if grep -qxF "$ref" <<<"$present"; then echo "$ref"; else log "image $ref is not in the machine's containerd; nodes go without it"; fi
  done
}
image_digest() { "${@:2}" images ls 2>/dev/null | awk -v r="$1" '$1 == r { print $3 }'; }

# node_conf I: the files the node reads under /etc/berth-node; a running node whose files differ
# is restarted, as up.sh restarts the machine's node.
node_conf() {
  local i=$1 name conf cache_size_var=BERTH_NODE_CACHE_SIZE_$1
  name=$(extra_node_name "$i") conf=$NODES/$(extra_node_name "$i")/conf
  mkdir -p "$conf/cni"
  {
    declare -p POD_TO_POD_RULE
    printf '%s=%q\n' NAME "$name" NODE_ADDRESS "$(extra_node_ip "$i")" ROOTFS "$ROOTFS" BUILDS "$BUILDS" \
      PV_ROOT "$PV_ROOT" K8S_BIN "$K8S_BIN" CTRD_BIN "$CTRD_BIN" RUNC_BIN "$RUNC_BIN" CLUSTER_CIDR "$CLUSTER_CIDR" \
      CACHE_SIZE "${!cache_size_var-}"
  } >"$conf/env.new"
  kubelet_config "$(extra_node_ip "$i")" /etc/berth-node/ca.crt "/$name" >"$conf/kubelet-config.yaml.new"
  containerd_config /var/lib/containerd /run/containerd /etc/berth-node/cni >"$conf/containerd.toml.new"
  cni_config cni0 "$(extra_node_pod_cidr "$i")" /var/lib/cni/ipam >"$conf/cni/10-berth.conflist.new"
  cp "$here/node-init.sh" "$conf/node-init.sh.new"
  local f changed=false
  for f in env kubelet-config.yaml containerd.toml cni/10-berth.conflist node-init.sh; do
    cmp -s "$conf/$f.new" "$conf/$f" || changed=true
    mv "$conf/$f.new" "$conf/$f"
  done
  $changed && return 1 || return 0
}

for i in $(seq $((want + 1)) "$NODES_MAX"); do
  name=$(extra_node_name "$i")
  [ -f "$NODES/$name/pid" ] || continue
  stop_node "$name"; kubectl delete node "$name" --ignore-not-found --wait=false >/dev/null
  log "removed node $name"
done
started=()
for i in $(seq 2 "$want"); do
  name=$(extra_node_name "$i") dir=$NODES/$(extra_node_name "$i")
  if node_conf "$i" && extra_node_pid "$name" >/dev/null; then
    log "$name runs already"
    continue
  fi
  stop_node "$name"
  kubectl delete node "$name" --ignore-not-found --wait=false >/dev/null
  # Runtime state only, as after a reboot; the node's images (containerd) are kept, unless the node
  # is to hold other images than last time: its kubelet starts before the images are sorted out
  # below, and would run an image the node must not have (the berth image of a node without the
  # agent) in the meantime. Such a node starts from an empty image store.
  rm -rf "$dir/upper" "$dir/work" "$dir/kubelet" "$dir/root"
  wanted_now=$(node_images "$i" | sort | tr '\n' ' ')
  [ "$(cat "$dir/images.wanted" 2>/dev/null)" = "$wanted_now" ] || rm -rf "$dir/containerd"
  mkdir -p "$dir" && echo "$wanted_now" >"$dir/images.wanted"
  make_cgroup_root "$name"
  log "starting $name ($(extra_node_ip "$i"), pods $(extra_node_pod_cidr "$i"))"
  rm -rf "$dir/logs.previous"; [ -d "$dir/logs" ] && mv "$dir/logs" "$dir/logs.previous"
  mkdir -p "$dir/logs"
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      [ "$fd" -le 2 ] || eval "exec $fd>&-"
    done
    exec setsid unshare --mount --pid --uts --net --fork --propagation private \
      bash "$dir/conf/node-init.sh" outside "$dir" </dev/null >"$dir/logs/outside.log" 2>&1
  ) &
  unshare_pid=$!
  pid=""
  for _ in $(seq 1 50); do
    pid=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null | awk '{ print $1 }') || true
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "$pid" ] || { log "$name did not start; see $dir/logs/outside.log"; cat "$dir/logs/outside.log" >&2; exit 1; }
  echo "$pid" >"$dir/pid"
  veth=berth-vn$i
  ip link add "$veth" type veth peer name eth0 netns "$pid"
  ip link set "$veth" master "$NODES_BRIDGE" up
  nsenter -t "$pid" -n ip addr add "$(extra_node_ip "$i")/24" dev eth0
  nsenter -t "$pid" -n ip link set eth0 up
  nsenter -t "$pid" -n ip route add default via "$NODES_GATEWAY"
  ip route replace "$(extra_node_pod_cidr "$i")" via "$(extra_node_ip "$i")" dev "$NODES_BRIDGE"
  started+=("$i")
done

# Images, node by node, once its containerd answers (the kubelet may already ask for them; it
# retries).
archive=""
trap 'rm -f "$archive"' EXIT
for i in "${started[@]}"; do
  name=$(extra_node_name "$i")
  pid=$(extra_node_pid "$name") || { log "$name exited; its logs:"; node_logs "$name"; exit 1; }
  in_node=(nsenter -t "$pid" -m -n -- "$CTRD_BIN/ctr" -a "$CTRD_SOCK" -n k8s.io)
  for _ in $(seq 1 300); do "${in_node[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
  mapfile -t wanted < <(node_images "$i")
  missing=()
  for ref in "${wanted[@]}"; do
    [ "$(image_digest "$ref" "${in_node[@]}")" = "$(image_digest "$ref" ctr_k8s)" ] || missing+=("$ref")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ -z "$archive" ]; then
      archive=$NODES/images.tar
      mapfile -t refs < <(for j in "${started[@]}"; do node_images "$j"; done | sort -u)
      out=$(ctr_k8s images export "$archive" "${refs[@]}" 2>&1) || { echo "$out" >&2; log "cannot export ${refs[*]}"; exit 1; }
    fi
    log "$name: importing ${missing[*]}"
    cp "$archive" "/proc/$pid/root/var/tmp/images.tar"
    out=$("${in_node[@]}" images import /var/tmp/images.tar 2>&1) || { echo "$out" >&2; log "$name: the import failed"; exit 1; }
    rm -f "/proc/$pid/root/var/tmp/images.tar"
  fi
  # The node keeps its images across rm and add: what it should not hold (any more) goes.
  for ref in $("${in_node[@]}" images ls -q 2>/dev/null | grep -v '^sha256:'); do
    [[ " ${wanted[*]} " == *" $ref "* ]] && continue
    "${in_node[@]}" images rm "$ref" >/dev/null 2>&1 && log "$name: removed image $ref"
  done
done

for i in $(seq 2 "$want"); do
  name=$(extra_node_name "$i")
  deadline=$((SECONDS + 120))
  until [ "$(kubectl get node "$name" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; do
    extra_node_pid "$name" >/dev/null || { log "$name exited; its logs:"; node_logs "$name"; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { log "$name not Ready after 120s; its logs:"; node_logs "$name"; exit 1; }
    sleep 0.5
  done
done
log "$want nodes Ready: $NODE_NAME $(for i in $(seq 2 "$want"); do printf '%s ' "$(extra_node_name "$i")"; done)"
