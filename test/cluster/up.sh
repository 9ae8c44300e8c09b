#!/usr/bin/env bash
# Brings up the single-node Kubernetes cluster every integration and e2e test runs on, at the
# release BERTH_K8S_VERSION names (versions.sh; built by build.sh): etcd, kube-apiserver with the
# admission plugins kubeadm enables (Pod Security Admission and NodeRestriction among them),
# kube-controller-manager, kube-scheduler, containerd 2 (runc with seccomp), kubelet and
# kube-proxy, a CNI bridge, the StorageClass `berth-test` with a pool of hostPath volumes and the
# StorageClass `berth-shared` (local-path-provisioner; storage.sh), the cluster DNS (CoreDNS as
# kubeadm installs it; dns.sh), and the pause and busybox images. nodes.sh adds further nodes.
# Idempotent: a healthy cluster is left alone (its storage objects re-applied and volume pool
# tidied, its DNS objects re-applied);
# anything else, a node configuration this script no longer writes included, is stopped and
# started again. Like a rebooted node, the cluster keeps its objects (etcd), volumes and images
# across down.sh/up.sh; `down.sh --wipe` empties it, and so does a change of Kubernetes release
# (etcd's contents cannot go back to an older minor).
# Before anything starts it sets, and checks, the host preconditions kubeadm's preflight demands.
# Usage: test/cluster/up.sh   then   export KUBECONFIG=~/.cache/kubectl-berth/cluster/kubeconfig
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
take_lock
started_at=$(date +%s.%N)
K8S_VERSION=$(resolve_k8s_version)
K8S_BIN=$(build_bin kubernetes "$K8S_VERSION")

# node_ready [SINCE]: the node is Ready, by a heartbeat at or after SINCE (RFC 3339, UTC) when
# given, so that the status a previous kubelet left in etcd does not count.
node_ready() {
  local status beat
  read -r status beat < <(kubectl get node "$NODE_NAME" \
    -o jsonpath='{range .status.conditions[?(@.type=="Ready")]}{.status} {.lastHeartbeatTime}{"\n"}{end}' 2>/dev/null) || return 1
  [ "$status" = True ] && [[ ! "$beat" < "${1:-}" ]]
}
all_running() {
  local c
  for c in "${COMPONENTS[@]}"; do component_pid "$c" >/dev/null || return 1; done
}
# A loaded machine can make the node NotReady for a while (PLEG); restarting then would kill every
# test's pods, so a running cluster gets a minute to recover first.
healthy() {
  local deadline=$(($(date +%s) + 60)) warned=false
  while all_running; do
    kubectl --request-timeout=5s get --raw /readyz >/dev/null 2>&1 && node_ready && return 0
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    $warned || log "running but not healthy yet (API server or node $NODE_NAME); waiting up to 60s"
    warned=true
    sleep 1
  done
  return 1
}

# Volumes whose claim is gone go back to the pool. The controller's recycler normally does this
# within seconds; this catches what it missed (a crash, a recycler pod that failed).
tidy_volume_pool() {
  local name phase class path
  kubectl get pv -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.spec.storageClassName} {.spec.hostPath.path}{"\n"}{end}' |
    while read -r name phase class path; do
      [ "$class" = "$STORAGE_CLASS" ] || continue
      case $phase in Released | Failed) ;; *) continue ;; esac
      case $path in "$PV_ROOT"/*) find "$path" -mindepth 1 -delete ;; *) continue ;; esac
      kubectl patch pv "$name" --type json -p '[{"op":"remove","path":"/spec/claimRef"}]' >/dev/null
      log "returned $name to the pool"
    done
}

NODE_IP=$(node_ip)
[ -n "$NODE_IP" ] || { log "cannot tell this machine's IPv4 address (no default route)"; exit 1; }
CNI_CONF=$STATE/cni/net.d/10-berth.conflist
# This machine's node; nodes.sh writes the extra nodes' from the same functions (lib.sh).
main_kubelet_config() { kubelet_config "$NODE_IP" "$PKI/ca.crt"; }
main_cni_config() { cni_config "$BRIDGE" "$POD_CIDR" "$STATE/cni/ipam"; }
# The kubelet reads its configuration at start only, and the CNI plugins apply theirs to each pod
# as it is made; so a running cluster with another node configuration (an older up.sh's) is
# restarted, as a node is after its configuration changes.
node_config_current() {
  [ "$(main_kubelet_config)" = "$(cat "$STATE/kubelet-config.yaml" 2>/dev/null)" ] &&
    [ "$(main_cni_config)" = "$(cat "$CNI_CONF" 2>/dev/null)" ] && return 0
  log "the node's configuration (kubelet, CNI) changed: restarting the cluster"
  return 1
}

running_version=$(cat "$STATE/k8s-version" 2>/dev/null || true)
if [ "$running_version" = "$K8S_VERSION" ] && node_config_current && healthy; then
  bash "$here/storage.sh"
  tidy_volume_pool
  bash "$here/dns.sh"
  log "already up and healthy (node $NODE_NAME Ready); KUBECONFIG=$KUBECONFIG"
  exit 0
fi

for b in "$K8S_BIN"/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,kube-proxy,kubectl,pause} \
    "$CTRD_BIN"/{containerd,containerd-shim-runc-v2,ctr} "$RUNC_BIN/runc" "$ETCD_BIN"/{etcd,etcdctl} \
    "$(build_bin coredns "$COREDNS_VERSION")/coredns"; do
  [ -x "$b" ] || { log "missing $b: run test/cluster/build.sh first"; exit 1; }
done
for c in podman openssl iptables ip busybox; do
  command -v "$c" >/dev/null || { log "missing command $c: run test/setup/install-deps.sh"; exit 1; }
done

# Whatever is left of an earlier run (crashed or half started) goes first, by its recorded PIDs.
stop_cluster
if [ -n "$running_version" ] && [ "$running_version" != "$K8S_VERSION" ]; then
  log "Kubernetes $running_version -> $K8S_VERSION: starting with an empty etcd and volume pool"
  rm -rf "$STATE/etcd" "${PV_ROOT:?}"
fi
mkdir -p "$CLUSTER_BIN"
for b in "$K8S_BIN/kubectl" "$CTRD_BIN/ctr" "$ETCD_BIN/etcdctl"; do ln -sfn "$b" "$CLUSTER_BIN/$(basename "$b")"; done
echo "$K8S_VERSION" >"$STATE/k8s-version"

# ---- host preconditions (kubeadm's preflight) ---------------------------------------------------
# Pods copy these from the host when their network namespace is made, so they must hold before the
# first pod: a VM pod started while ip_forward was 0 keeps 0 for good.
host_sysctl() {
  local key=$1 want=$2 file=/proc/sys/${1//.//}
  [ -f "$file" ] || { log "host precondition: $file does not exist (kernel module missing?)"; exit 1; }
  [ "$(cat "$file")" = "$want" ] && return 0
  sysctl -qw "$key=$want" 2>/dev/null || echo "$want" >"$file" 2>/dev/null || true
  [ "$(cat "$file")" = "$want" ] || { log "host precondition: cannot set $key=$want"; exit 1; }
  log "host: set $key=$want (kubeadm's preflight demands it)"
}
[ -d /proc/sys/net/bridge ] || modprobe br_netfilter 2>/dev/null || true
host_sysctl net.ipv4.ip_forward 1
host_sysctl net.bridge.bridge-nf-call-iptables 1
host_sysctl net.bridge.bridge-nf-call-ip6tables 1
# /run/netns holds the pods' network namespaces as bind mounts. `ip netns add` (tests, people)
# turns a plain /run/netns into a mount of its own, which hides every namespace mounted there
# before it; containerd then cannot remove them and pods stay Terminating. Made a shared mount
# point once, before containerd mounts anything there, it is never re-mounted over.
mkdir -p /run/netns
mountpoint -q /run/netns || mount --bind /run/netns /run/netns
mount --make-shared /run/netns
# The kubelet keeps its PodResources socket under its --root-dir, which here is in $STATE; the
# agent's DaemonSet mounts it from the standard place, as on any node.
if [ ! -e /var/lib/kubelet/pod-resources ] || [ -L /var/lib/kubelet/pod-resources ]; then
  mkdir -p /var/lib/kubelet && ln -sfn "$KUBELET_ROOT/pod-resources" /var/lib/kubelet/pod-resources
fi
rm -rf "$LOGS.previous"; [ -d "$LOGS" ] && mv "$LOGS" "$LOGS.previous"
mkdir -p "$PIDS" "$LOGS" "$PKI" "$CTRD" "$STATE/cni/net.d" "$PV_ROOT"
# Runtime state only: pods are recreated from etcd, as after a reboot.
rm -rf "$KUBELET_ROOT" "$CTRD/state" "$STATE/cni/ipam"

waiting_for=""
on_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] && return
  log "FAILED (exit $rc)${waiting_for:+ waiting for $waiting_for}"
  if [ -n "$waiting_for" ] && [ -f "$LOGS/$waiting_for.log" ]; then
    log "last lines of $LOGS/$waiting_for.log:"; tail -n 25 "$LOGS/$waiting_for.log" >&2
  fi
  log "logs of this run are kept in $LOGS; stopping what this run started"
  stop_cluster
}
trap on_exit EXIT

start() {
  local name=$1; shift
  # A daemon must inherit no descriptor beyond 0-2: it would hold whatever lock is open on it for
  # its whole life, the up/down lock (fd 9) or the one of whoever ran us (`flock FILE up.sh` leaves
  # FILE open, so every later `flock FILE` would wait for the cluster to stop).
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      [ "$fd" -le 2 ] || eval "exec $fd>&-"
    done
    exec setsid "$@" </dev/null >"$LOGS/$name.log" 2>&1
  ) &
  echo $! >"$PIDS/$name.pid"
}
# wait_for COMPONENT SECONDS COMMAND...: polls until COMMAND succeeds; fails early if the
# component died, since waiting on a dead process only delays the error.
wait_for() {
  local name=$1 seconds=$2 deadline; shift 2
  waiting_for=$name
  deadline=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    component_pid "$name" >/dev/null || { log "$name exited"; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "$name not ready after ${seconds}s"; return 1; }
    sleep 0.3
  done
  waiting_for=""
}

bash "$here/pki.sh" "$NODE_IP"

# ---- control plane ----------------------------------------------------------------------------
# Order: what needs no API server (containerd, images, kubelet start-up, ~6 s) overlaps the API
# server's own start-up (~7 s); only the controllers wait for it.
log "starting etcd and kube-apiserver"
start etcd etcd --name berth --data-dir "$STATE/etcd" \
  --listen-client-urls "$ETCD_CLIENT" --advertise-client-urls "$ETCD_CLIENT" \
  --listen-peer-urls "$ETCD_PEER" --initial-advertise-peer-urls "$ETCD_PEER" --initial-cluster "berth=$ETCD_PEER"
wait_for etcd 30 etcdctl --endpoints="$ETCD_CLIENT" endpoint health

# Bound to all addresses because pods reach it through the `kubernetes` Service, whose endpoint is
# the node IP. RBAC leaves anonymous callers only health, version and discovery, as on kubeadm.
# Admission as kubeadm sets it: the default plugins (PodSecurity among them, every namespace at
# "privileged" unless labelled otherwise) plus NodeRestriction.
start kube-apiserver "$K8S_BIN/kube-apiserver" --etcd-servers="$ETCD_CLIENT" \
  --bind-address=0.0.0.0 --secure-port="$API_PORT" --advertise-address="$NODE_IP" \
  --service-cluster-ip-range="$SERVICE_CIDR" --allow-privileged=true \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
  --token-auth-file="$PKI/tokens.csv" --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types=InternalIP

# ---- container runtime, network, images ------------------------------------------------------
containerd_config "$CTRD/root" "$CTRD/state" "$STATE/cni/net.d" >"$CTRD/config.toml"
main_cni_config >"$CNI_CONF"
log "starting containerd"
start containerd containerd --config "$CTRD/config.toml"
wait_for containerd 30 ctr_k8s version
# Containers left by a crash belong to no running kubelet; the kubelet recreates the pods' own.
remove_all_containers
# Listed once into a variable: `grep -q` closing the pipe early would fail ctr under pipefail.
images=$(ctr_k8s images ls -q)
if ! grep -qxF "$PAUSE_IMAGE" <<<"$images"; then
  log "importing $PAUSE_IMAGE (built from source)"
  dir=$(mktemp -d); cp "$K8S_BIN/pause" "$dir/pause"
  bash "$here/import-rootfs.sh" "$dir" "$PAUSE_IMAGE" '["/pause"]' >/dev/null; rm -rf "$dir"
fi
if ! grep -qxF "$BUSYBOX_IMAGE" <<<"$images"; then
  log "importing $BUSYBOX_IMAGE (from busybox-static)"
  dir=$(mktemp -d); mkdir -p "$dir"/{bin,tmp,etc}; cp "$(command -v busybox)" "$dir/bin/busybox"
  for applet in $("$dir/bin/busybox" --list); do [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"; echo 'root:x:0:' >"$dir/etc/group"
  bash "$here/import-rootfs.sh" "$dir" "$BUSYBOX_IMAGE" '["/bin/sh"]' >/dev/null; rm -rf "$dir"
fi

# ---- node -------------------------------------------------------------------------------------
main_kubelet_config >"$STATE/kubelet-config.yaml"
log "starting kubelet and kube-proxy"
kubelet_started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
start kubelet "$K8S_BIN/kubelet" --config="$STATE/kubelet-config.yaml" --kubeconfig="$STATE/kubelet.kubeconfig" \
  --root-dir="$KUBELET_ROOT" \
  --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --cert-dir="$STATE/kubelet-pki"
# conntrack limits stay as the host has them: kube-proxy would otherwise try to raise them.
start kube-proxy "$K8S_BIN/kube-proxy" --kubeconfig="$STATE/kube-proxy.kubeconfig" --hostname-override="$NODE_NAME" \
  --proxy-mode=iptables --cluster-cidr="$POD_CIDR" --conntrack-max-per-core=0 \
  --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0 \
  --metrics-bind-address=127.0.0.1:10249 --healthz-bind-address=127.0.0.1:10256

# ---- controllers ------------------------------------------------------------------------------
# The kubelet and kube-proxy retry until the API server answers; kube-controller-manager gives up
# after 10 s, so it starts only once the API server is ready.
wait_for kube-apiserver 90 kubectl get --raw /readyz
forget_extra_nodes
log "starting kube-controller-manager and kube-scheduler"

# The PV recycler pod must use an image that is present: no registry is reachable.
cat >"$STATE/recycler-pod.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata: {generateName: pv-recycler-, namespace: default}
spec:
  restartPolicy: Never
  volumes: [{name: vol}]
  containers:
  - name: pv-recycler
    image: $BUSYBOX_IMAGE
    imagePullPolicy: Never
    command: [/bin/sh, -c, 'test -e /scrub && rm -rf /scrub/..?* /scrub/.[!.]* /scrub/* && test -z "\$(ls -A /scrub)" || exit 1']
    volumeMounts: [{name: vol, mountPath: /scrub}]
EOF
start kube-controller-manager "$K8S_BIN/kube-controller-manager" --kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
  --leader-elect=false --bind-address=127.0.0.1 --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --pv-recycler-pod-template-filepath-hostpath="$STATE/recycler-pod.yaml"
start kube-scheduler "$K8S_BIN/kube-scheduler" --kubeconfig="$STATE/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig="$STATE/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig="$STATE/kube-scheduler.kubeconfig" \
  --leader-elect=false --bind-address=127.0.0.1

wait_for kubelet 120 node_ready "$kubelet_started"
wait_for kubelet 30 test -S "$DEVICE_PLUGIN_SOCK"

# ---- storage ----------------------------------------------------------------------------------
bash "$here/storage.sh"
tidy_volume_pool
bash "$here/dns.sh"

# Pods of a new namespace wait for its default ServiceAccount, which the controller manager makes.
wait_for kube-controller-manager 60 kubectl -n default get serviceaccount default

trap - EXIT
seconds=$(awk -v a="$started_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
log "up in ${seconds}s: Kubernetes $K8S_VERSION, node $NODE_NAME Ready; export KUBECONFIG=$KUBECONFIG PATH=$CLUSTER_BIN:\$PATH"
