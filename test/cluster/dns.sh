#!/usr/bin/env bash
# The cluster DNS, as kubeadm installs it: CoreDNS (built by build.sh, imported as an image from a
# local root filesystem) in a Deployment in kube-system, its RBAC, the Corefile kubeadm writes
# (less the prometheus plugin), and the Service kube-dns at the fixed address the kubelet hands to
# every pod (DNS_SERVICE_IP, clusterDNS in up.sh's kubelet configuration). Names outside the
# cluster domain go to the nameservers of the node's /etc/resolv.conf (the pod's dnsPolicy Default).
# Called by up.sh; safe to re-run. Waits until CoreDNS answers (its Deployment is Available).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
binary_image coredns "$COREDNS_VERSION" "$COREDNS_IMAGE"

kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:coredns"}
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns"}
subjects: [{kind: ServiceAccount, name: coredns, namespace: kube-system}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
    .:53 {
        errors
        health {
           lameduck 5s
        }
        ready
        kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
           pods insecure
           fallthrough in-addr.arpa ip6.arpa
           ttl 30
        }
        forward . /etc/resolv.conf {
           max_concurrent 1000
        }
        cache 30 {
           disable success $CLUSTER_DOMAIN
           disable denial $CLUSTER_DOMAIN
        }
        loop
        reload
        loadbalance
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      # The node's resolver, not the cluster's: CoreDNS must not ask itself.
      dnsPolicy: Default
      tolerations: [{key: CriticalAddonsOnly, operator: Exists}]
      containers:
      - name: coredns
        image: $COREDNS_IMAGE
        imagePullPolicy: Never
        args: [-conf, /etc/coredns/Corefile]
        resources:
          requests: {cpu: 100m, memory: 70Mi}
          limits: {memory: 170Mi}
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}
        livenessProbe:
          httpGet: {path: /health, port: 8080}
          initialDelaySeconds: 60
          timeoutSeconds: 5
          failureThreshold: 5
        readinessProbe:
          httpGet: {path: /ready, port: 8181}
        volumeMounts: [{name: config, mountPath: /etc/coredns, readOnly: true}]
      volumes:
      - name: config
        configMap: {name: coredns, items: [{key: Corefile, path: Corefile}]}
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns, kubernetes.io/name: CoreDNS}
spec:
  selector: {k8s-app: kube-dns}
  clusterIP: $DNS_SERVICE_IP
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
EOF
kubectl -n kube-system rollout status deployment/coredns --timeout=120s >/dev/null ||
  { log "CoreDNS is not available after 120s; kubectl -n kube-system describe pods -l k8s-app=kube-dns says why"; exit 1; }
log "cluster DNS: CoreDNS $COREDNS_VERSION, Service kube-dns at $DNS_SERVICE_IP, domain $CLUSTER_DOMAIN"
