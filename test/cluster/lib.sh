# Paths and helpers shared by the local-cluster scripts (up.sh, down.sh, import-*.sh); sourced,
# never run. Everything the cluster owns lives under one state directory so that down.sh can undo
# exactly what up.sh did and nothing else.
_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.sh
source "$_lib_dir/versions.sh"
STATE=$CACHE/cluster
# Links to the running cluster's kubectl, ctr and etcdctl: the one directory the tests and the demo
# put on PATH, whichever version runs.
CLUSTER_BIN=$STATE/bin
PIDS=$STATE/pids
LOGS=$STATE/logs
PKI=$STATE/pki
CTRD=$STATE/containerd
# Where kubeadm, kind and most distributions put containerd's socket, and where the node agent
# looks for the CRI by default (manifests/daemonset.yaml mounts /run/containerd).
CTRD_SOCK=/run/containerd/containerd.sock
KUBELET_ROOT=$STATE/kubelet
PV_ROOT=$STATE/pv
export KUBECONFIG=$STATE/kubeconfig

NODE_NAME=berth-node
# The kubelet hard-codes its device-plugin registration socket (pluginapi.KubeletSocket); it does
# not follow --root-dir, so this is where the node agent finds it, as on a real node.
DEVICE_PLUGIN_SOCK=/var/lib/kubelet/device-plugins/kubelet.sock
BRIDGE=berth-cni0
CNI_NETWORK=berth
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.0.0.0/24
# The cluster DNS (dns.sh): the kube-dns Service's fixed address in SERVICE_CIDR, as kubeadm picks
# it (the tenth), and the domain the kubelet hands to pods.
DNS_SERVICE_IP=10.0.0.10
CLUSTER_DOMAIN=cluster.local
API_PORT=6443
# Not etcd's default ports, so an etcd the Debian package may have started elsewhere cannot clash.
ETCD_CLIENT=http://127.0.0.1:12379
ETCD_PEER=http://127.0.0.1:12380
STORAGE_CLASS=berth-test
PV_COUNT=20
PV_SIZE=10Gi
PAUSE_IMAGE=registry.k8s.io/pause:3.10.1
BUSYBOX_IMAGE=localhost/busybox:local
COREDNS_IMAGE=localhost/coredns:$COREDNS_VERSION

# Start order; down.sh stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy)

log() { printf 'cluster: %s\n' "$*" >&2; }
# Where a build of build.sh keeps its binaries: build_bin NAME VERSION.
build_bin() { echo "$BUILDS/$1-$2/bin"; }
CTRD_BIN=$(build_bin containerd "$CONTAINERD_VERSION")
RUNC_BIN=$(build_bin runc "$RUNC_VERSION")
ETCD_BIN=$(build_bin etcd "$ETCD_VERSION")
export PATH=$CLUSTER_BIN:$CTRD_BIN:$ETCD_BIN:$PATH
ctr_k8s() { "$CTRD_BIN/ctr" -a "$CTRD_SOCK" -n k8s.io "$@"; }

# The node's own address: kubelet, API server endpoint and the apiserver certificate use it.
node_ip() { ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p'; }

# PID of a component we started, if that process is still the one we started (its executable name
# must match, so a recycled PID is never mistaken for ours). Prints nothing otherwise.
component_pid() {
  local name=$1 pid exe
  [ -f "$PIDS/$name.pid" ] || return 1
  pid=$(cat "$PIDS/$name.pid")
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [ "$(basename "$exe")" = "$name" ] || return 1
  echo "$pid"
}

# Serialises up.sh and down.sh: two of them interleaving would start a second etcd or kill a
# half-started cluster.
take_lock() {
  # containerd, the kubelet, mounts, network namespaces and iptables all need root.
  if [ "$(id -u)" -ne 0 ]; then log "must run as root"; exit 1; fi
  mkdir -p "$STATE"
  exec 9>"$STATE/up-down.lock"
  if ! flock -w 300 9; then log "another up.sh/down.sh holds $STATE/up-down.lock"; exit 1; fi
}

# Stops every component we started (by recorded PID, newest first) and undoes the host changes
# they made: pod containers, pod network namespaces, our bridge, mounts under the state
# directory, pod cgroups, and the iptables chains of kube-proxy and the CNI portmap plugin.
# Logs stay, so a failed run can still be read.
stop_cluster() {
  local ns m h
  # The kubelet first, so it does not restart the containers we are about to kill.
  stop_components kube-proxy kubelet
  if component_pid containerd >/dev/null; then remove_all_containers; fi
  stop_components containerd kube-scheduler kube-controller-manager kube-apiserver etcd
  # Pod network namespaces: those with a veth on our bridge, then the bridge itself.
  for ns in $(ip -o link show master "$BRIDGE" 2>/dev/null | sed -n 's/.*link-netns \([^ ]*\).*/\1/p' | sort -u); do
    ip netns delete "$ns" 2>/dev/null || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
  # Deepest first; a busy mount is detached lazily rather than left behind.
  { grep -o " $STATE/[^ ]*" /proc/mounts || true; } | sort -ru | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  for h in /sys/fs/cgroup/*/kubepods; do
    [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  remove_iptables_chains
  rm -f "$DEVICE_PLUGIN_SOCK"
}

# A zombie has exited; only its parent (init here) has yet to reap it.
process_alive() {
  local state
  state=$(sed -n 's/^.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# SIGTERM to all of them at once, then SIGKILL to any still there after 5 s.
stop_components() {
  local name pid i pids=()
  for name in "$@"; do
    if pid=$(component_pid "$name"); then kill "$pid" 2>/dev/null || true; pids+=("$pid"); fi
    rm -f "$PIDS/$name.pid"
  done
  for i in $(seq 1 50); do
    for pid in "${pids[@]}"; do process_alive "$pid" && break; pid=; done
    [ -z "${pid:-}" ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    process_alive "$pid" || continue
    log "pid $pid ($(basename "$(readlink "/proc/$pid/exe")")) ignored SIGTERM for 5 s; sending SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
  done
}

# Pod containers that outlive the kubelet (after a crash, or before a stop) would keep mounts,
# network namespaces and cgroups busy.
remove_all_containers() {
  local t c i
  for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s KILL "$t" >/dev/null 2>&1 || true; done
  for i in $(seq 1 30); do
    [ -z "$(ctr_k8s tasks ls -q 2>/dev/null | head -1)" ] && break
    for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$t" >/dev/null 2>&1 || true; done
    sleep 0.2
  done
  for c in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers delete "$c" >/dev/null 2>&1 || true; done
}

# kube-proxy's chains are all named KUBE-*, the portmap plugin's CNI-*; nothing else on the host
# uses those prefixes (podman here uses netavark's NETAVARK-* chains).
remove_iptables_chains() {
  local table chain
  for table in nat filter mangle; do
    # Jumps from the built-in chains; their comments are quoted, hence eval.
    { iptables-save -t "$table" 2>/dev/null || true; } |
      { grep -E '^-A (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) .*-j (KUBE|CNI)-' || true; } |
      while read -r rule; do eval "iptables -t $table ${rule/#-A/-D}" 2>/dev/null || true; done
    for chain in $(iptables-save -t "$table" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\).*/\1/p'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables-save -t "$table" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\).*/\1/p'); do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}
