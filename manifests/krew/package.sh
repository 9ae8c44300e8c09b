#!/bin/bash
# Builds the krew archive of kubectl-berth and the krew manifest that points at it.
#   manifests/krew/package.sh [OUT_DIR]          (default: dist/krew)
#   manifests/krew/package.sh --write-manifest   also rewrites manifests/krew/berth.yaml (at release)
# Needs a built tree (npm run build). The archive is plain JavaScript — the same file serves every
# platform in the manifest — and is reproducible: fixed order, owners and mtimes, gzip without a
# timestamp. It ships the bundle (dist/plugin/, src/build/bundle.ts), which needs no node_modules.
# Set BERTH_RELEASE_URL to the directory the archive will be downloadable from.
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
write_manifest=0
out=$root/dist/krew
for arg in "$@"; do
  case $arg in
    --write-manifest) write_manifest=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) out=$arg ;;
  esac
done
node=${BERTH_NODE:-$root/node_modules/node/bin/node}
[ -x "$node" ] || node=node
cd "$root"
[ -f dist/plugin/berth.js ] || { echo "package.sh: dist/plugin/ is missing; run npm run build first" >&2; exit 1; }

version=$("$node" -p 'require("./package.json").version')
archive=kubectl-berth_v${version}.tar.gz
base_url=${BERTH_RELEASE_URL:-https://github.com/berth-dev/kubectl-berth/releases/download/v${version}}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
echo "package.sh: staging kubectl-berth v${version}" >&2
mkdir -p "$stage/bin" "$stage/dist"
cp bin/kubectl-berth bin/kubectl_complete-berth bin/run.js "$stage/bin/"
# The bundle with the build's completion table (keyed by the bundle's content, so still fresh), the
# pre-rendered help and the oclif manifest; no source maps.
rsync -a --exclude '*.map' dist/plugin dist/help "$stage/dist/"
cp package.json oclif.manifest.json "$stage/"
# `kubectl berth install` applies the manifests it ships with (src/install/manifest-files.ts).
rsync -a --exclude krew manifests "$stage/"
[ -f README.md ] && cp README.md "$stage/"

mkdir -p "$out"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@"${SOURCE_DATE_EPOCH:-0}" \
  --mode='u+rwX,go+rX,go-w' -C "$stage" -cf - . | gzip -n > "$out/$archive"
sha=$(sha256sum "$out/$archive" | cut -d' ' -f1)

# Fill in version, download address and checksum of every platform entry.
sed -e "s|^  version: .*|  version: v${version}|" \
    -e "s|^    uri: .*|    uri: ${base_url}/${archive}|" \
    -e "s|^    sha256: .*|    sha256: \"${sha}\"|" \
    manifests/krew/berth.yaml > "$out/berth.yaml"
[ "$write_manifest" = 1 ] && cp "$out/berth.yaml" manifests/krew/berth.yaml
echo "package.sh: $out/$archive ($(du -h "$out/$archive" | cut -f1), sha256 $sha)" >&2
echo "package.sh: $out/berth.yaml — try it with: kubectl krew install --manifest=$out/berth.yaml --archive=$out/$archive" >&2
