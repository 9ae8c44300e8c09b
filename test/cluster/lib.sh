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
# The class every node mounts (storage.sh): local-path-provisioner's directories under
# SHARED_VOLUMES, which nodes.sh binds into every extra node at the same path, like an NFS export.
SHARED_STORAGE_CLASS=berth-shared
SHARED_VOLUMES=$PV_ROOT/shared
LOCAL_PATH_PROVISIONER_IMAGE=localhost/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION
PV_COUNT=20
# Nominal (hostPath does not enforce it), but a claim binds only to a volume at least its size: a
# VM with the default 10Gi disk claims up to 22281Mi (README, --disk-size).
PV_SIZE=64Gi
PAUSE_IMAGE=registry.k8s.io/pause:3.10.1
BUSYBOX_IMAGE=localhost/busybox:local
COREDNS_IMAGE=localhost/coredns:$COREDNS_VERSION

# Extra nodes (nodes.sh): containers of their own beside the machine's node, berth-node-I for I in
# 2..NODES_MAX, each with the address 10.245.0.I on the host bridge NODES_BRIDGE (the machine is
# 10.245.0.1, their gateway) and the pod range 10.244.I.0/24; CLUSTER_CIDR holds every node's pods.
NODES=$STATE/nodes
NODES_MAX=9
NODES_BRIDGE=berth-nodes0
NODES_GATEWAY=10.245.0.1
CLUSTER_CIDR=10.244.0.0/16
extra_node_name() { echo "berth-node-$1"; }
extra_node_ip() { echo "10.245.0.$1"; }
extra_node_pod_cidr() { echo "10.244.$1.0/24"; }

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

# ---- node configuration, the machine's node and the extra ones (nodes.sh) alike -----------------
# kubelet_config ADDRESS CLIENT_CA [CGROUP_ROOT]: eviction thresholds are near zero and image GC is
# off: a developer's full disk must not evict test pods or delete the locally imported images,
# which cannot be pulled back. An extra node's kubelet gets a cgroup root of its own, so that two
# kubelets never manage the same kubepods hierarchy.
kubelet_config() {
  cat <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $1
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
cgroupDriver: cgroupfs
# This host is cgroup v1, set up by the machine's own init; kubelets from 1.35 refuse it by default.
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CTRD_SOCK
authentication: {anonymous: {enabled: false}, webhook: {enabled: true}, x509: {clientCAFile: "$2"}}
authorization: {mode: Webhook}
clusterDomain: $CLUSTER_DOMAIN
clusterDNS: [$DNS_SERVICE_IP]
resolvConf: /etc/resolv.conf
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
makeIPTablesUtilChains: false
# Checked (not posted) this often: the node turns Ready within 2 s instead of 10.
nodeStatusUpdateFrequency: 2s
EOF
  [ -z "${3:-}" ] || echo "cgroupRoot: $3"
}
# cni_config BRIDGE SUBNET IPAM_DIR: ipMasq: pods reach addresses outside the cluster (CoreDNS the
# node's nameservers) from the node's address, as every CNI of a real cluster arranges; traffic
# between pods, and to the node itself, keeps the pod's address (with extra nodes, pod_to_pod_rule
# exempts the other nodes' pods too).
cni_config() {
  cat <<EOF
{"cniVersion": "0.4.0", "name": "$CNI_NETWORK", "plugins": [
  {"type": "bridge", "bridge": "$1", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$3",
            "ranges": [[{"subnet": "$2"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
}
# The bridge plugin's ipMasq masquerades whatever leaves its own subnet, pods of other nodes
# included; this rule, first in nat POSTROUTING of the machine and of each extra node, keeps pod
# addresses between nodes, as a real cluster's CNI does.
POD_TO_POD_RULE=(POSTROUTING -s "$CLUSTER_CIDR" -d "$CLUSTER_CIDR" -m comment --comment "berth-nodes: pod to pod keeps its address" -j RETURN)
# containerd_config ROOT STATE CNI_CONF_DIR: restrict_oom_score_adj: the CRI asks for
# oom_score_adj -998 on the pause container, which needs CAP_SYS_RESOURCE this machine lacks;
# without it every sandbox fails in runc. The pause image is pinned so that image garbage
# collection never removes it (it cannot be pulled back).
containerd_config() {
  cat <<EOF
version = 3
root = "$1"
state = "$2"
[grpc]
  address = "$CTRD_SOCK"
[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "$PAUSE_IMAGE"
[plugins."io.containerd.cri.v1.runtime"]
  restrict_oom_score_adj = true
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = "$RUNC_BIN/runc"
        SystemdCgroup = false
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$3"
EOF
}

# binary_image NAME VERSION IMAGE: a binary that build.sh built, imported once as an image of that
# one file (its entrypoint), for what the cluster runs as pods (CoreDNS, local-path-provisioner).
binary_image() {
  local bin images dir
  bin=$(build_bin "$1" "$2")/$1
  [ -x "$bin" ] || { log "missing $bin: run test/cluster/build.sh first"; return 1; }
  # Listed once into a variable: `grep -q` closing the pipe early would fail ctr under pipefail.
  images=$(ctr_k8s images ls -q)
  grep -qxF "$3" <<<"$images" && return 0
  log "importing $3 (built from the Go module proxy)"
  dir=$(mktemp -d); cp "$bin" "$dir/$1"
  bash "$_lib_dir/import-rootfs.sh" "$dir" "$3" "[\"/$1\"]" >/dev/null; rm -rf "$dir"
}

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
  stop_nodes
  # The kubelet first, so it does not restart the containers we are about to kill.
  stop_components kube-proxy kubelet
  if component_pid containerd >/dev/null; then remove_all_containers; fi
  stop_components containerd kube-scheduler kube-controller-manager kube-apiserver etcd
  stop_orphan_shims
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

# containerd 2 keeps a pod's shim until the CRI shuts the pod's sandbox down, which deleting the
# containers does not do; so the shims of this cluster's containerd build (the extra nodes', with
# their nodes, are gone by now) outlive it, idle. They are ended by PID, found by executable path.
stop_orphan_shims() {
  local p shim=$CTRD_BIN/containerd-shim-runc-v2
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/exe" 2>/dev/null)" = "$shim" ] && kill "${p#/proc/}" 2>/dev/null
  done
  return 0
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

# ---- extra nodes (nodes.sh) --------------------------------------------------------------------
# extra_node_pid NAME: the machine's PID of the node's PID 1, if that process is still the one
# nodes.sh started (PID 1 of its own namespace, running bash).
extra_node_pid() {
  local pid
  pid=$(cat "$NODES/$1/pid" 2>/dev/null) || return 1
  [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = bash ] || return 1
  grep -qE "^NSpid:\s+$pid\s+1$" "/proc/$pid/status" 2>/dev/null || return 1
  echo "$pid"
}

# Each extra node's kubelet manages pods under a cgroup root of its own, in every hierarchy of the
# machine (which its init mounted; they are only made, never mounted). cpuset starts empty in v1.
make_cgroup_root() {
  local h
  for h in /sys/fs/cgroup/*/; do
    [ -L "${h%/}" ] && continue
    mkdir -p "$h$1"
    if [ -f "${h}cpuset.cpus" ] && [ -z "$(cat "$h$1/cpuset.cpus")" ]; then
      cat "${h}cpuset.cpus" >"$h$1/cpuset.cpus"; cat "${h}cpuset.mems" >"$h$1/cpuset.mems"
    fi
  done
}

# stop_node NAME: SIGTERM to the node's PID 1 (which stops its kubelet, containers and
# containerd), SIGKILL after 20 s; its end takes every process, mount, network namespace and
# iptables rule of the node with it. Then the machine's side: its route and cgroups, and its
# runtime state (its images stay, as on a rebooted node).
stop_node() {
  local name=$1 pid i h index
  index=${name##*-}
  if pid=$(extra_node_pid "$name"); then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 200); do process_alive "$pid" || break; sleep 0.1; done
    if process_alive "$pid"; then log "$name ignored SIGTERM for 20 s; sending SIGKILL"; kill -9 "$pid" 2>/dev/null || true; fi
    for i in $(seq 1 50); do process_alive "$pid" || break; sleep 0.1; done
  fi
  rm -f "$NODES/$name/pid"
  ip link delete "berth-vn$index" 2>/dev/null || true
  ip route delete "$(extra_node_pod_cidr "$index")" 2>/dev/null || true
  for h in /sys/fs/cgroup/*/"$name"; do
    [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "${NODES:?}/$name/upper" "$NODES/$name/work" "$NODES/$name/kubelet" "$NODES/$name/root"
}

# Every extra node, their Node objects (forget_extra_nodes), the bridge and the pod-to-pod rule.
stop_nodes() {
  local dir name
  for dir in "$NODES"/*/; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    [ -f "$dir/pid" ] || [ -d "$dir/upper" ] || continue
    stop_node "$name"
    log "stopped node $name"
  done
  forget_extra_nodes
  ip link delete "$NODES_BRIDGE" 2>/dev/null || true
  while iptables -t nat -D "${POD_TO_POD_RULE[@]}" 2>/dev/null; do :; done
}

# Deletes the Node objects of extra nodes that no longer run, when the API server answers (up.sh
# calls it again once it does): the cluster then deletes the pods bound to them, and nothing waits
# for a node that is gone.
forget_extra_nodes() {
  local dir name
  for dir in "$NODES"/*/; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    extra_node_pid "$name" >/dev/null && continue
    kubectl --request-timeout=5s delete node "$name" --ignore-not-found --wait=false 2>/dev/null | grep -q deleted &&
      log "deleted Node $name (not running)"
  done
  return 0
}
