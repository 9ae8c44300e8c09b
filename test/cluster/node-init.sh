#!/usr/bin/env bash
# PID 1 of an extra node (nodes.sh starts it under `unshare` with new mount, PID, UTS and network
# namespaces), the part kind's node image leaves to systemd. Phase `outside` still sees the
# machine's file system: it mounts the node's root (an overlay on the cached Debian root file
# system, so every node starts from the same read-only lower layer and writes only its own upper
# one) with a fresh /proc, /sys, /run and /tmp, the machine's /dev and cgroup hierarchies bound in
# (cgroups v1 belong to the machine's init: bound, never mounted again), the node's own
# /var/lib/kubelet and /var/lib/containerd, the builds (read-only) and the shared volume pool at
# their own paths; then pivots into it. Phase `inside` waits for the address nodes.sh gives eth0,
# starts containerd, the kubelet and kube-proxy, and on SIGTERM stops them and the pods' containers;
# when it exits the kernel ends every process of the node and, with its namespaces, every mount,
# network namespace and iptables rule it made.
# Usage (by nodes.sh): node-init.sh outside NODE_DIR
set -euo pipefail

if [ "$1" = outside ]; then
  dir=$2
  # shellcheck source=/dev/null
  source "$dir/conf/env" # NAME ROOTFS BUILDS PV_ROOT CACHE_SIZE
  root=$dir/root
  mkdir -p "$root" "$dir/upper" "$dir/work" "$dir/kubelet" "$dir/containerd" "$dir/logs"
  mount -t overlay overlay -o "lowerdir=$ROOTFS,upperdir=$dir/upper,workdir=$dir/work" "$root"
  mount -t proc proc "$root/proc"
  # A sysfs of this network namespace, so /sys/class/net lists the node's own interfaces.
  mount -t sysfs sysfs "$root/sys"
  mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=755 tmpfs "$root/run"
  mount -t tmpfs tmpfs "$root/tmp"
  bindto() { mkdir -p "$root$2" && mount --bind "$1" "$root$2"; }
  bindto "$dir/kubelet" /var/lib/kubelet
  bindto "$dir/containerd" /var/lib/containerd
  bindto "$dir/logs" /var/log/berth-node
  bindto "$dir/conf" /etc/berth-node
  mount -o remount,bind,ro "$root/etc/berth-node"
  bindto "$BUILDS" "$BUILDS"
  mount -o remount,bind,ro "$root$BUILDS"
  bindto "$PV_ROOT" "$PV_ROOT"
  # A node whose disk for berth's image cache is small (nodes.sh BERTH_NODE_CACHE_SIZE_I): the
  # agent's budget is measured on the file system that holds the cache, so this one alone is small.
  if [ -n "${CACHE_SIZE:-}" ]; then
    mkdir -p "$root/var/lib/berth/images"
    mount -t tmpfs -o "size=$CACHE_SIZE,mode=755" tmpfs "$root/var/lib/berth/images"
  fi
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # A machine of its own: the kubelet reports this as the node's machine ID and system UUID.
  [ -s "$root/etc/machine-id" ] || tr -d - </proc/sys/kernel/random/uuid >"$root/etc/machine-id"
  echo "$NAME" >"$root/etc/hostname"
  printf '127.0.0.1 localhost\n%s %s\n' "$NODE_ADDRESS" "$NAME" >"$root/etc/hosts"
  hostname "$NAME"
  mkdir -p "$root/.oldroot"
  cd "$root"
  pivot_root . .oldroot
  exec /bin/bash /etc/berth-node/node-init.sh inside
fi

# ---- inside the node ----------------------------------------------------------------------------
# The machine's mounts as they were when the node started are no business of the node's.
umount -l /.oldroot && rmdir /.oldroot
# As on a systemd machine (and in kind's nodes): mounts the kubelet makes propagate to pods that ask.
# The namespace's mounts were made private first, so nothing propagates back to the machine.
mount --make-rshared /
cd /
# shellcheck source=/dev/null
source /etc/berth-node/env
export PATH=$K8S_BIN:$CTRD_BIN:$RUNC_BIN:/usr/sbin:/usr/bin:/sbin:/bin
log() { printf '%s node-init: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
exec >>/var/log/berth-node/init.log 2>&1
ip link set lo up
for _ in $(seq 1 300); do ip -4 -o addr show dev eth0 2>/dev/null | grep -q inet && break; sleep 0.1; done
ip -4 -o addr show dev eth0 | grep -q inet || { log "eth0 got no address"; exit 1; }
# As on the machine (up.sh): what pods copy when their network namespace is made must hold first.
sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1
iptables -t nat -I "${POD_TO_POD_RULE[@]}"
mkdir -p /run/netns /var/lib/kubelet/device-plugins
mount --bind /run/netns /run/netns && mount --make-shared /run/netns

declare -A pids
start() {
  local name=$1; shift
  "$@" </dev/null >"/var/log/berth-node/$name.log" 2>&1 &
  pids[$name]=$!
}
ctr_k8s() { ctr -a /run/containerd/containerd.sock -n k8s.io "$@"; }
stop_all() {
  log "stopping"
  kill "${pids[kubelet]:-}" "${pids[kube-proxy]:-}" 2>/dev/null || true
  wait "${pids[kubelet]:-}" "${pids[kube-proxy]:-}" 2>/dev/null || true
  for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s KILL "$t" >/dev/null 2>&1 || true; done
  kill "${pids[containerd]:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  exit 0
}
trap stop_all TERM INT

start containerd containerd --config /etc/berth-node/containerd.toml
for _ in $(seq 1 300); do ctr_k8s version >/dev/null 2>&1 && break; sleep 0.1; done
# Containers of an earlier run of this node belong to no running kubelet; it recreates its pods'.
for c in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers delete "$c" >/dev/null 2>&1 || true; done
start kubelet kubelet --config=/etc/berth-node/kubelet-config.yaml --kubeconfig=/etc/berth-node/kubelet.kubeconfig \
  --root-dir=/var/lib/kubelet --hostname-override="$NAME" --node-ip="$NODE_ADDRESS" --cert-dir=/var/lib/kubelet/pki
start kube-proxy kube-proxy --kubeconfig=/etc/berth-node/kube-proxy.kubeconfig --hostname-override="$NAME" \
  --proxy-mode=iptables --cluster-cidr="$CLUSTER_CIDR" --conntrack-max-per-core=0 \
  --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0 \
  --metrics-bind-address=127.0.0.1:10249 --healthz-bind-address=127.0.0.1:10256
log "containerd, kubelet and kube-proxy started"
# As PID 1 this shell also reaps the orphans of the node (the containerd shims' parents exit).
while true; do
  wait -n || true
  for name in containerd kubelet kube-proxy; do
    kill -0 "${pids[$name]}" 2>/dev/null || { log "$name exited; see /var/log/berth-node/$name.log"; stop_all; }
  done
done
