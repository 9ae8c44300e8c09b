# The versions of everything the local cluster runs, and where their builds are cached; sourced by
# build.sh and lib.sh, never run. Kubernetes follows BERTH_K8S_VERSION: a minor ("1.36"), an exact
# release ("v1.36.3"), or unset for the newest supported minor (not the newest the proxy lists: a
# minor is supported once it is tested). The supported range is the three newest minors (as
# KubeVirt's); SUPPORTED_K8S_MINORS below is the list the README repeats, and a unit test keeps
# the plugin's SUPPORTED_KUBERNETES_MINORS equal to it.
SUPPORTED_K8S_MINORS=(1.35 1.36 1.37)
# Exact releases that were built and tested, one per supported minor: the fallback when the module
# proxy cannot be asked (a machine offline after its first build), and the pin CI may use.
KNOWN_K8S_RELEASES=(v1.35.4 v1.36.3 v1.37.2)
# The rest of the node, pinned: containerd 2.1+ (image volumes), runc with seccomp (RuntimeDefault,
# which Pod Security "restricted" demands), an etcd every supported minor supports.
CONTAINERD_VERSION=v2.2.9
RUNC_VERSION=v1.4.4
ETCD_VERSION=v3.6.16
# The shared StorageClass's provisioner (storage.sh), as kind and k3s run it.
LOCAL_PATH_PROVISIONER_VERSION=v0.0.30
# The cluster DNS, as kubeadm installs it (its CoreDNS is built from the same proxy, see build.sh).
COREDNS_VERSION=v1.15.0

CACHE=${BERTH_CACHE:-$HOME/.cache/kubectl-berth}
BUILDS=$CACHE/builds

# resolve_k8s_version: prints the exact release (vX.Y.Z) BERTH_K8S_VERSION names. A minor resolves
# to its newest patch the proxy serves, or to the newest one built here when the proxy is out of
# reach; an exact release is taken as it is.
resolve_k8s_version() {
  local want=${BERTH_K8S_VERSION:-} minor served built v
  case $want in
    v[0-9]*.[0-9]*.[0-9]*) echo "$want"; return 0 ;;
    "") minor=${SUPPORTED_K8S_MINORS[-1]} ;;
    [0-9]*.[0-9]* | v[0-9]*.[0-9]*) minor=${want#v} ;;
    *) echo "BERTH_K8S_VERSION=$want: give a minor such as 1.36 or a release such as v1.36.3" >&2; return 2 ;;
  esac
  served=$(cd / && GOFLAGS= go list -m -versions k8s.io/kubernetes 2>/dev/null | tr ' ' '\n' | grep -E "^v${minor//./\\.}\.[0-9]+$" | sort -V | tail -1) || true
  if [ -n "$served" ]; then echo "$served"; return 0; fi
  built=$(ls -d "$BUILDS"/kubernetes-v"$minor".* 2>/dev/null | sed 's/.*kubernetes-//' | sort -V | tail -1) || true
  if [ -n "$built" ]; then echo "$built"; return 0; fi
  for v in "${KNOWN_K8S_RELEASES[@]}"; do
    case $v in v"$minor".*) echo "$v"; return 0 ;; esac
  done
  echo "Kubernetes $minor: the Go module proxy lists no release of it and none is built here" >&2
  return 1
}
