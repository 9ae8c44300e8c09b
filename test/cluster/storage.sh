#!/usr/bin/env bash
# The StorageClass `berth-test` and its pool of pre-created hostPath volumes, so that the tests'
# PVCs bind as they would on a real cluster with local storage. `Recycle` makes the controller
# scrub a volume and return it to the pool as soon as its claim is deleted (hostPath cannot be
# `Delete`d outside /tmp). The class is the default one, like the default class of any real
# cluster, so claims that name no class bind too. Called by up.sh; safe to re-run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

{
  cat <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $STORAGE_CLASS
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
EOF
  for i in $(seq -w 1 "$PV_COUNT"); do
    # VM pods run as uid 107. hostPath volumes get no fsGroup ownership from the kubelet, so the pool
    # hands out world-writable directories, as local-path-provisioner does (mkdir -m 0777).
    mkdir -p "$PV_ROOT/pv-$i" && chmod 0777 "$PV_ROOT/pv-$i"
    cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: berth-test-pv-$i
spec:
  storageClassName: $STORAGE_CLASS
  capacity: {storage: $PV_SIZE}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Recycle
  hostPath: {path: "$PV_ROOT/pv-$i", type: Directory}
EOF
  done
} | kubectl apply -f - >/dev/null
log "storage class $STORAGE_CLASS with $PV_COUNT x $PV_SIZE hostPath volumes under $PV_ROOT"
