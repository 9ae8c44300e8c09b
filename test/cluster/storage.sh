#!/usr/bin/env bash
# The StorageClass `berth-test` and its pool of pre-created hostPath volumes, so that the tests'
# PVCs bind as they would on a real cluster with local storage. `Recycle` makes the controller
# scrub a volume and return it to the pool as soon as its claim is deleted (hostPath cannot be
# `Delete`d outside /tmp). The class is the default one, like the default class of any real
# cluster, so claims that name no class bind too.
# Then the StorageClass `berth-shared`: storage every node can mount, standing in for NFS or Ceph
# (this kernel has no NFS). A real dynamic provisioner, rancher's local-path-provisioner (built by
# build.sh), makes a directory per claim under SHARED_VOLUMES with its sharedFileSystemPath option,
# and so sets no node affinity on the volume; nodes.sh binds the volume root (the berth-test pool
# with it) into every extra node at the same path, as every node would mount the same export.
# Called by up.sh; safe to re-run.
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

# ---- berth-shared ---------------------------------------------------------------------------------
binary_image local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" "$LOCAL_PATH_PROVISIONER_IMAGE"
mkdir -p "$SHARED_VOLUMES"
# Upstream's deploy/local-path-storage.yaml, with the images at hand (no registry is reachable) and
# the provisioner on the machine's node, which is always there.
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: local-path-storage}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: local-path-provisioner-service-account, namespace: local-path-storage}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: local-path-provisioner-role, namespace: local-path-storage}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, create, patch, update, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: local-path-provisioner-role}
rules:
- apiGroups: [""]
  resources: [nodes, persistentvolumeclaims, configmaps, pods, pods/log]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [persistentvolumes]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [storage.k8s.io]
  resources: [storageclasses]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: local-path-provisioner-bind, namespace: local-path-storage}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: local-path-provisioner-role}
subjects: [{kind: ServiceAccount, name: local-path-provisioner-service-account, namespace: local-path-storage}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: local-path-provisioner-bind}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: local-path-provisioner-role}
subjects: [{kind: ServiceAccount, name: local-path-provisioner-service-account, namespace: local-path-storage}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: local-path-provisioner, namespace: local-path-storage}
spec:
  replicas: 1
  selector: {matchLabels: {app: local-path-provisioner}}
  template:
    metadata: {labels: {app: local-path-provisioner}}
    spec:
      serviceAccountName: local-path-provisioner-service-account
      nodeSelector: {kubernetes.io/hostname: $NODE_NAME}
      containers:
      - name: local-path-provisioner
        image: $LOCAL_PATH_PROVISIONER_IMAGE
        imagePullPolicy: Never
        command: [/local-path-provisioner, start, --config, /etc/config/config.json,
                  --provisioner-name, rancher.io/local-path, --helper-image, $BUSYBOX_IMAGE]
        volumeMounts: [{name: config-volume, mountPath: /etc/config/}]
        env:
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        - {name: CONFIG_MOUNT_PATH, value: /etc/config/}
      volumes: [{name: config-volume, configMap: {name: local-path-config}}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: $SHARED_STORAGE_CLASS}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
---
apiVersion: v1
kind: ConfigMap
metadata: {name: local-path-config, namespace: local-path-storage}
data:
  config.json: '{"sharedFileSystemPath": "$SHARED_VOLUMES"}'
  # VM pods run as uid 107 and hostPath volumes get no fsGroup: world-writable, as upstream makes them.
  setup: |-
    set -eu
    mkdir -m 0777 -p "\$VOL_DIR"
  teardown: |-
    set -eu
    rm -rf "\$VOL_DIR"
  helperPod.yaml: |-
    apiVersion: v1
    kind: Pod
    metadata: {name: helper-pod}
    spec:
      containers:
      - {name: helper-pod, image: $BUSYBOX_IMAGE, imagePullPolicy: Never}
EOF
kubectl -n local-path-storage rollout status deployment/local-path-provisioner --timeout=90s >/dev/null ||
  { log "local-path-provisioner is not available after 90s"; kubectl -n local-path-storage get pods >&2; exit 1; }
log "storage class $SHARED_STORAGE_CLASS: local-path-provisioner under $SHARED_VOLUMES"
