#!/usr/bin/env bash
# Builds the berth container image (node agent + VM launcher) without a registry or a Docker
# engine, and imports it into the local cluster's containerd. It is the offline twin of
# manifests/Dockerfile and installs the same Debian packages (read from that file's BERTH_PACKAGES).
#
#   base layer  debootstrap --variant=minbase of bookworm + the packages, cached by package list
#   app layer   node 22 (node_modules/node), dist/shared + dist/src + dist/agent, production node_modules,
#               rebuilt only when dist/ or package-lock.json change
#   import      podman save --format oci-archive -> containerd (k8s.io), skipped when containerd
#               already holds this exact image
#
# Usage: test/image/build.sh [--no-import] [--force]
# Image name: shared/contract.ts berthImage() (BERTH_IMAGE overrides it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CACHE=${BERTH_CACHE:-$HOME/.cache/kubectl-berth}
IMG_CACHE=$CACHE/image
SOCK=${BERTH_CONTAINERD_SOCK:-/run/containerd/containerd.sock}
MIRROR=${BERTH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
DO_IMPORT=1
FORCE=0
for arg in "$@"; do
  case $arg in
    --no-import) DO_IMPORT=0 ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "image: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
say() { printf 'image: %s\n' "$*" >&2; }
t0=$SECONDS
elapsed() { printf '%ds' $((SECONDS - t0)); }
mkdir -p "$IMG_CACHE"

export PATH=$root/node_modules/.bin:$PATH
[ -x "$root/node_modules/node/bin/node" ] || { say "node_modules/node is missing: run 'npm ci' first"; exit 1; }
if [ ! -f "$root/dist/shared/contract.js" ] || [ ! -d "$root/dist/agent" ]; then
  say "dist/ is missing: running npm run build"
  (cd "$root" && npm run build --silent)
fi
IMAGE_REF=$(node --input-type=module -e \
  "const k = await import('$root/dist/shared/contract.js'); process.stdout.write(k.berthImage())")

# ---- base layer: Debian rootfs with the packages -------------------------------------------------
PACKAGES=$(sed -n 's/^ARG BERTH_PACKAGES="\([^"]*\)"$/\1/p' "$root/manifests/Dockerfile")
[ -n "$PACKAGES" ] || { say "cannot read BERTH_PACKAGES from manifests/Dockerfile"; exit 1; }
BASE_VERSION=1 # bump when the rootfs recipe below changes
BASE_KEY=$(printf '%s\n' "$BASE_VERSION" "$SUITE" "$MIRROR" $PACKAGES | sha256sum | cut -c1-16)
BASE_REF=localhost/kubectl-berth-base:$BASE_KEY
if [ "$FORCE" = 1 ] || ! podman image exists "$BASE_REF"; then
  ROOTFS=$IMG_CACHE/rootfs-$BASE_KEY
  if [ "$FORCE" = 1 ] || [ ! -f "$ROOTFS.done" ]; then
    command -v debootstrap >/dev/null || { say "debootstrap is missing: run test/setup/install-deps.sh"; exit 1; }
    rm -rf "$ROOTFS" "$ROOTFS.done"
    say "debootstrap $SUITE minbase + $(wc -w <<<"$PACKAGES") packages (a few minutes, once; log: $IMG_CACHE/debootstrap.log)"
    if ! debootstrap --variant=minbase --include="$(tr ' ' ',' <<<"$PACKAGES")" \
        "$SUITE" "$ROOTFS" "$MIRROR" >"$IMG_CACHE/debootstrap.log" 2>&1; then
      say "debootstrap failed; last lines of $IMG_CACHE/debootstrap.log:"; tail -15 "$IMG_CACHE/debootstrap.log" >&2; exit 1
    fi
    # What a slim image does not need: downloaded .debs, apt lists, docs, man pages, locales.
    rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
      "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
      "$ROOTFS"/var/log/*.log "$ROOTFS"/var/cache/debconf/*-old
    find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
    touch "$ROOTFS.done"
    say "rootfs ready ($(du -sh "$ROOTFS" | cut -f1), $(elapsed))"
  fi
  say "importing the base layer as $BASE_REF"
  tar -C "$ROOTFS" --numeric-owner -cf - . |
    podman import --quiet --change 'CMD ["/bin/bash"]' - "$BASE_REF" >/dev/null
  say "base layer imported ($(elapsed))"
else
  say "base layer cached ($BASE_REF)"
fi

# ---- app layer: node, dist, production node_modules ---------------------------------------------
hash_tree() { (cd "$root" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }
DEPS_KEY=$(sha256sum "$root/package-lock.json" | cut -c1-16)
NODE_KEY=$(sha256sum "$root/node_modules/node/bin/node" | cut -c1-16)
APP_KEY=$(printf '%s\n' "$BASE_KEY" "$DEPS_KEY" "$NODE_KEY" "$(hash_tree dist/shared dist/src dist/agent package.json)" "$(cd "$root" && find agent -type f ! -name '*.ts' -print0 | sort -z | xargs -0 -r sha256sum | sha256sum)" | sha256sum | cut -c1-16)

current_app_key() { podman image inspect --format '{{index .Labels "dev.berth.app-key"}}' "$IMAGE_REF" 2>/dev/null || true; }
if [ "$FORCE" = 1 ] || [ "$(current_app_key)" != "$APP_KEY" ]; then
  DEPS=$IMG_CACHE/deps-$DEPS_KEY
  if [ "$FORCE" = 1 ] || [ ! -f "$DEPS.done" ]; then
    say "production node_modules for package-lock $DEPS_KEY"
    rm -rf "$DEPS"; mkdir -p "$DEPS"
    cp "$root/package.json" "$root/package-lock.json" "$DEPS/"
    # Copy then prune: the checkout's node_modules already holds every production package, so
    # this works offline and matches the lock file exactly.
    cp -a "$root/node_modules" "$DEPS/node_modules"
    (cd "$DEPS" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
    rm -rf "$DEPS/node_modules/.bin" "$DEPS/node_modules/node"
    touch "$DEPS.done"
  fi
  STAGE=$(mktemp -d "$IMG_CACHE/stage.XXXXXX")
  trap 'rm -rf "$STAGE"' EXIT
  mkdir -p "$STAGE/opt/berth/dist" "$STAGE/usr/local/bin"
  install -m 0755 "$root/node_modules/node/bin/node" "$STAGE/usr/local/bin/node"
  # The npm build carries debug info; without it the layer is ~13 MB smaller.
  if command -v strip >/dev/null; then strip "$STAGE/usr/local/bin/node"; fi
  cp "$root/package.json" "$root/package-lock.json" "$STAGE/opt/berth/"
  cp -a "$DEPS/node_modules" "$STAGE/opt/berth/node_modules"
  cp -a "$root/dist/shared" "$root/dist/src" "$root/dist/agent" "$STAGE/opt/berth/dist/"
  # Files tsc does not emit (the device plugin's api.proto) go next to the compiled code.
  (cd "$root" && find agent -type f ! -name '*.ts' -exec cp --parents {} "$STAGE/opt/berth/dist/" \;)
  find "$STAGE/opt/berth/dist" -name '*.map' -delete
  say "building $IMAGE_REF (app layer $APP_KEY)"
  previous_id=$(podman image inspect --format '{{.Id}}' "$IMAGE_REF" 2>/dev/null || true)
  podman build --quiet --layers=false --pull=never --build-arg "BASE=$BASE_REF" \
    --label "dev.berth.app-key=$APP_KEY" --label "dev.berth.base-key=$BASE_KEY" \
    -f "$here/app.Containerfile" -t "$IMAGE_REF" "$STAGE" >/dev/null
  rm -rf "$STAGE"; trap - EXIT
  # The image this one replaces lost its tag; drop it rather than pile up ~200 MB per build.
  if [ -n "$previous_id" ] && [ "$previous_id" != "$(podman image inspect --format '{{.Id}}' "$IMAGE_REF")" ]; then
    podman rmi "$previous_id" >/dev/null 2>&1 || true
  fi
  say "image built ($(elapsed))"
else
  say "image $IMAGE_REF is up to date (app layer $APP_KEY)"
fi

# ---- import into the local cluster's containerd --------------------------------------------------
[ "$DO_IMPORT" = 1 ] || { say "done without import ($(elapsed))"; exit 0; }
if [ ! -S "$SOCK" ]; then
  say "containerd socket $SOCK not found: is the local cluster up? (test/cluster/up.sh)"; exit 1
fi
CTR=(ctr -a "$SOCK" -n k8s.io)
IMAGE_ID=$(podman image inspect --format '{{.Id}}' "$IMAGE_REF")
STAMP=$IMG_CACHE/imported-$(tr -c 'a-zA-Z0-9._-' '_' <<<"$IMAGE_REF")
containerd_digest() { "${CTR[@]}" images ls "name==$IMAGE_REF" 2>/dev/null | awk 'NR>1 {print $3}'; }
if [ "$FORCE" = 0 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$IMAGE_ID $(containerd_digest)" ]; then
  say "containerd already holds $IMAGE_REF ($(containerd_digest)); nothing to import ($(elapsed))"
  exit 0
fi
ARCHIVE=$IMG_CACHE/kubectl-berth.oci.tar
say "saving $IMAGE_REF as an OCI archive"
rm -f "$ARCHIVE"
podman save --format oci-archive -o "$ARCHIVE" "$IMAGE_REF" >/dev/null 2>&1
say "importing into containerd ($(du -h "$ARCHIVE" | cut -f1))"
bash "$root/test/cluster/import-image.sh" "$ARCHIVE" >/dev/null
rm -f "$ARCHIVE"
digest=$(containerd_digest)
[ -n "$digest" ] || { say "containerd does not list $IMAGE_REF after the import"; exit 1; }
echo "$IMAGE_ID $digest" >"$STAMP"
say "imported $IMAGE_REF ($digest) in $(elapsed)"
# The tag did not change, so a running agent keeps the old image until its pod is replaced.
KCFG=${KUBECONFIG_LOCAL:-$CACHE/cluster/kubeconfig}
agent_image=$( { [ -f "$KCFG" ] && KUBECONFIG=$KCFG kubectl get daemonset berth-agent -n berth-system \
  -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null; } || true)
if [ "$agent_image" = "$IMAGE_REF" ]; then
  say "restarting the berth agent pods so they run the new image"
  old_pods=$(KUBECONFIG=$KCFG kubectl get pods -n berth-system -l app.kubernetes.io/name=berth-agent -o name)
  if [ -n "$old_pods" ]; then
    # shellcheck disable=SC2086 # one word per pod
    KUBECONFIG=$KCFG kubectl delete -n berth-system $old_pods --wait=false >/dev/null
    # A kubelet restarted after a hard stop (a killed session, a node crash) can lose track of an
    # old container and leave its pod Terminating forever, which blocks the DaemonSet's
    # replacement. Those pods were asked to stop a minute ago; then their API objects go.
    # shellcheck disable=SC2086
    if ! KUBECONFIG=$KCFG kubectl wait -n berth-system $old_pods --for=delete --timeout=60s >/dev/null 2>&1; then
      say "an old agent pod is stuck terminating; removing its API object so the new one can start"
      # shellcheck disable=SC2086
      KUBECONFIG=$KCFG kubectl delete -n berth-system $old_pods --grace-period=0 --force --ignore-not-found >/dev/null 2>&1 || true
    fi
  fi
fi
