#!/usr/bin/env bash
# One command from a fresh clone to a VM you can ssh and vnc into, on a local single-node
# Kubernetes cluster built from Debian's packages (no registry, no Docker needed):
#   npm run demo          (or: bash test/setup/demo.sh)
# builds and starts the cluster, builds the berth image and the tiny demo guest, installs berth,
# puts the guest in the image catalog, boots VM `demo` and prints how to reach it.
# Idempotent: a second run finds everything in place and only prints the commands again.
#   npm run demo -- --guest debian
# boots VM `demo-debian` from a Debian 12 cloud image instead (test/guest/build-debian.sh: cloud-init,
# OpenSSH with sftp, a login on the serial console; user `debian`; several minutes to build once,
# a minute or two to boot under TCG). The tiny guest (--guest tiny) is the quick default.
#   npm run demo:down     (bash test/setup/demo.sh --down [--cluster])
# removes the demo VMs, their disks and berth; --cluster also stops the local cluster.
# --no-prepare skips the setup steps (packages, k8s build, cluster, guest and image builds) and
# uses the local cluster as it is running.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CACHE=${BERTH_CACHE:-$HOME/.cache/kubectl-berth}
export KUBECONFIG=$CACHE/cluster/kubeconfig
# kubectl of the local cluster's own release, linked there by test/cluster/up.sh.
export PATH=$CACHE/cluster/bin:$PATH
NS=berth-demo
KEY=$CACHE/demo/id_ed25519
BERTH=$root/bin/kubectl-berth

step() { printf '\n==> %s\n' "$*" >&2; }
say() { printf '    %s\n' "$*" >&2; }
down=false
prepare=true
cluster_too=false
guest=tiny
while [ $# -gt 0 ]; do
  case $1 in
    --down) down=true ;;
    --cluster) cluster_too=true ;;
    --no-prepare) prepare=false ;;
    --guest) [ $# -gt 1 ] || { echo "demo: --guest needs a value: tiny or debian" >&2; exit 2; }; guest=$2; shift ;;
    --guest=*) guest=${1#--guest=} ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$cluster_too" = false ] || [ "$down" = true ] || { echo "demo: --cluster goes with --down" >&2; exit 2; }
# Each guest is its own VM and catalog image, so both demos can run side by side.
case $guest in
  tiny)   VM=demo;        IMAGE=demo-guest;  GUEST=$CACHE/guest/guest.qcow2;     USER_AT=;        BOOT_TIMEOUT=5m ;;
  debian) VM=demo-debian; IMAGE=debian-12;   GUEST=$CACHE/guest/debian-12.qcow2; USER_AT=debian@; BOOT_TIMEOUT=10m ;;
  *) echo "demo: --guest is tiny or debian, not '$guest'" >&2; exit 2 ;;
esac
DEMO_VMS=(demo demo-debian)
cd "$root"

# ---- down -----------------------------------------------------------------------------------------
if [ "$down" = true ]; then
  if [ -f "$KUBECONFIG" ] && kubectl get --raw /readyz >/dev/null 2>&1; then
    step "removing the demo VMs and their disks"
    if kubectl get namespace "$NS" >/dev/null 2>&1; then
      for vm in "${DEMO_VMS[@]}"; do
        "$BERTH" purge "$vm" -n "$NS" --delete-disks --yes 2>/dev/null || say "no VM $vm in namespace $NS"
      done
      kubectl delete namespace "$NS" --wait=true --timeout=120s >/dev/null && say "namespace $NS deleted"
    else
      say "namespace $NS does not exist"
    fi
    step "uninstalling berth"
    if kubectl get namespace berth-system >/dev/null 2>&1; then
      "$BERTH" uninstall --yes
    else
      say "berth is not installed"
    fi
  else
    say "the local cluster is not running; nothing to remove from it"
  fi
  if [ "$cluster_too" = true ]; then
    step "stopping the local cluster"
    bash "$root/test/cluster/down.sh"
  else
    say "the local cluster keeps running; stop it with: npm run demo:down -- --cluster"
  fi
  exit 0
fi

# ---- up -------------------------------------------------------------------------------------------
started=$SECONDS
step "project dependencies and build"
if [ ! -x "$root/node_modules/node/bin/node" ]; then
  if ! command -v npm >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "demo: npm is missing; install it (apt-get install npm) and run again" >&2; exit 1; }
    say "npm is missing: installing Debian's npm, only to fetch the project's own Node 22"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  say "node_modules is missing: npm ci (the npm registry must be reachable)"
  npm ci --no-audit --no-fund
fi
export PATH=$root/node_modules/.bin:$PATH
npm run build --silent
say "built ($(node --version))"

if [ "$prepare" = true ]; then
  # the Debian guest only when it is asked for: its first build takes minutes
  BERTH_DEBIAN_GUEST=$([ "$guest" = debian ] && echo 1 || echo 0) bash "$here/prepare.sh"
else
  kubectl get --raw /readyz >/dev/null 2>&1 || { echo "demo: the local cluster does not answer ($KUBECONFIG); run without --no-prepare" >&2; exit 1; }
  [ -f "$GUEST" ] && [ -f "$GUEST.sha256" ] || { echo "demo: the $guest guest is not built ($GUEST); run without --no-prepare" >&2; exit 1; }
fi

step "installing berth"
# The local cluster's kubelet evicts only below 1% free (test/cluster/up.sh), so the image cache may
# use the disk down to 2% (the product's default, 20%, suits a kubelet's default thresholds); the
# tests install with the same flags (LOCAL_INSTALL_FLAGS in test/support/cluster.ts).
"$BERTH" install --disk-reserve 2%

node=$(kubectl get nodes -l berth.dev/node=true -o jsonpath='{.items[0].metadata.name}')
[ -n "$node" ] || { echo "demo: no node can run VMs; see: kubectl get nodes --show-labels" >&2; exit 1; }
step "$guest guest in the image catalog as '$IMAGE'"
image_label="image.berth.dev/$IMAGE"
cached() { [ "$(kubectl get node "$node" -o jsonpath="{.metadata.labels.${image_label//./\\.}}")" = ready ]; }
if cached; then
  say "already cached on node $node"
else
  # A throwaway HTTP server on the node's address; the agent (host network) downloads from it once.
  node_ip=$(kubectl get node "$node" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
  mkdir -p "$CACHE/demo"
  rm -f "$CACHE/demo/serve.port"
  node --input-type=module -e '
    import { createServer } from "node:http"; import { createReadStream, statSync, writeFileSync } from "node:fs";
    const [file, portFile] = process.argv.slice(1);
    const size = statSync(file).size;
    const server = createServer((req, res) => {
      res.writeHead(200, { "content-length": size, "content-type": "application/octet-stream" });
      req.method === "HEAD" ? res.end() : createReadStream(file).pipe(res);
    });
    server.listen(0, "0.0.0.0", () => writeFileSync(portFile, String(server.address().port)));
  ' "$GUEST" "$CACHE/demo/serve.port" &
  server_pid=$!
  trap 'kill "$server_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do [ -s "$CACHE/demo/serve.port" ] && break; sleep 0.1; done
  url="http://$node_ip:$(cat "$CACHE/demo/serve.port")/$(basename "$GUEST")"
  "$BERTH" images add "$IMAGE" --url "$url" --sha256 "$(cut -d' ' -f1 "$GUEST.sha256")" --size "$(stat -c %s "$GUEST")" --force
  say "waiting for the agent on $node to download and verify it"
  for i in $(seq 180); do
    cached && break
    [ $((i % 5)) -eq 0 ] && say "still caching ($((i))s): $(kubectl get node "$node" -o jsonpath='{.metadata.annotations.berth\.dev/image-cache}' | head -c 200)"
    sleep 1
  done
  cached || { echo "demo: the agent did not cache $IMAGE in 3 minutes; see: kubectl -n berth-system logs ds/berth-agent" >&2; exit 1; }
  kill "$server_pid" 2>/dev/null || true
  trap - EXIT
  say "cached on node $node"
fi

step "VM '$VM' in namespace $NS"
kubectl get namespace "$NS" >/dev/null 2>&1 || kubectl create namespace "$NS" >/dev/null
[ -f "$KEY" ] || { mkdir -p "$(dirname "$KEY")"; ssh-keygen -q -t ed25519 -N '' -C berth-demo -f "$KEY"; }
accel=tcg
[ "$(kubectl get node "$node" -o jsonpath='{.metadata.labels.berth\.dev/kvm}')" = true ] && accel=kvm
if kubectl get statefulset "$VM" -n "$NS" >/dev/null 2>&1; then
  # Kept, but it must really run before this says so: a VM left from an earlier run may be stopped
  # or failed (its image gone from the catalog, say). start --wait starts it if need be and waits
  # for its guest as create --wait does, or stops with why.
  say "VM $VM exists: starting it if stopped and waiting for its guest"
  "$BERTH" start "$VM" -n "$NS" --wait --timeout "$BOOT_TIMEOUT" || {
    echo "demo: the existing VM $VM does not come up (above); start afresh with: npm run demo:down && npm run demo" >&2
    exit 1
  }
else
  say "booting a ${accel^^} VM from $IMAGE (software emulation is slower; a minute or two$([ "$guest" = debian ] && echo ', three for Debian'))"
  "$BERTH" create "$VM" -n "$NS" --image "$IMAGE" --accel "$accel" --ssh-key "$KEY.pub" --wait --timeout "$BOOT_TIMEOUT"
fi
"$BERTH" ls -n "$NS" >&2

scp_hint=
[ "$guest" = debian ] && scp_hint="
  # files both ways (OpenSSH's sftp), and a directory with -r
  kubectl berth scp -i $KEY ./notes.txt $USER_AT$VM.$NS:/tmp/
  kubectl berth scp -i $KEY -r $USER_AT$VM.$NS:/etc/cloud ./guest-cloud-config"

cat <<EOF

The demo VM is running ($(( SECONDS - started ))s). In a shell:

  export KUBECONFIG=$KUBECONFIG
  export PATH=$root/bin:$CACHE/cluster/bin:\$PATH   # kubectl (the cluster's) finds the plugin on PATH

  # a shell in the VM, or one command:
  kubectl berth ssh $USER_AT$VM -n $NS -i $KEY
  kubectl berth ssh $USER_AT$VM -n $NS -i $KEY -- cat /etc/hostname$scp_hint
  # its screen: a VNC viewer if one is installed, or any viewer on the printed vnc:// address
  kubectl berth vnc $VM -n $NS
  kubectl berth vnc port-forward $VM -n $NS
  # its serial console (Ctrl-] leaves), and the list of VMs
  kubectl berth console $VM -n $NS
  kubectl berth ls -n $NS -o wide

Tear it down with: npm run demo:down   (npm run demo:down -- --cluster also stops the local cluster)
EOF
