# Shared by the guest builds (build.sh: the tiny busybox guest; build-debian.sh: Debian 12):
# where the cache is, progress lines, the "inputs unchanged and output present: nothing to do"
# check, and publishing a finished qcow2 with its sha256 and inputs stamp. Source it; it sets
# guest_cache and expects guest_name (the prefix of progress lines) to be set first.
guest_cache=${BERTH_GUEST_CACHE:-${BERTH_CACHE:-$HOME/.cache/kubectl-berth}/guest}
mkdir -p "$guest_cache"

guest_log() { printf '%s: %s\n' "${guest_name:-guest}" "$*" >&2; }

# The versioned kernel package a Debian meta-package points at (apt metadata only, no network).
guest_kernel_pkg() {
  apt-cache depends "$1" | awk '/Depends: linux-image-[0-9]/{print $2; exit}'
}

# The candidate versions apt would install for these packages, one "name version" a line: an
# input of the build, so that a newer package in the archive (after apt-get update) rebuilds it.
guest_candidates() {
  apt-cache policy "$@" | awk '/^[^ ]/{p=$1} /^  Candidate:/{print p, $2}'
}

# guest_up_to_date OUT STAMP_FILE STAMP: true (and says so) when OUT, OUT.sha256 exist and the
# recorded inputs are STAMP.
guest_up_to_date() {
  local out=$1 stamp_file=$2 stamp=$3
  if [ -f "$out" ] && [ -f "$out.sha256" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
    guest_log "up to date: $out (sha256 $(cat "$out.sha256"))"
    return 0
  fi
  return 1
}

# guest_publish FILE OUT STAMP_FILE STAMP: moves a finished image (qcow2 or ISO) (on the cache's file system)
# to OUT with OUT.sha256 (hex only) beside it, then records the inputs. A crash at any point
# leaves either the old complete output or a stamp that does not match, never a stamp for a
# partial file.
guest_publish() {
  local qcow2=$1 out=$2 stamp_file=$3 stamp=$4
  rm -f "$stamp_file"
  sha256sum "$qcow2" | cut -c1-64 > "$qcow2.sha256"
  mv "$qcow2" "$out"
  mv "$qcow2.sha256" "$out.sha256"
  echo "$stamp" > "$stamp_file"
  guest_log "built $out (sha256 $(cat "$out.sha256"), $(stat -c %s "$out") bytes)"
}
