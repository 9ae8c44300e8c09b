#!/usr/bin/env bash
# Credentials of the local cluster, made once and kept: a CA, the API server's serving
# certificate (re-issued when the node IP changes), the client certificate it uses towards the
# kubelet, the service-account key pair, and one bearer token and kubeconfig per component, each
# with the identity a kubeadm cluster would give it so that RBAC and the Node authorizer behave
# as on a real cluster. Called by up.sh with the node IP; nodes.sh adds the names of extra nodes,
# each of which gets a kubelet client certificate of its own (system:node:NAME in system:nodes,
# signed by the CA, so the API server needs no restart to admit it) and kubeconfigs that reach the
# API server at the machine's address, in NODES/NAME/conf, the node's /etc/berth-node.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
NODE_IP=${1:?usage: pki.sh NODE_IP [EXTRA_NODE_NAME...]}; shift
mkdir -p "$PKI"
cd "$PKI"
umask 077

if [ ! -f ca.crt ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj /CN=berth-local-ca 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout apiserver-kubelet-client.key -out apiserver-kubelet-client.csr \
    -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" 2>/dev/null
  openssl x509 -req -in apiserver-kubelet-client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -out apiserver-kubelet-client.crt -days 3650 2>/dev/null
  rm -f apiserver.crt tokens.csv
fi

# 10.0.0.1 is the `kubernetes` Service's ClusterIP, which is how pods address the API server.
if [ "$(cat apiserver.ip 2>/dev/null)" != "$NODE_IP" ] || [ ! -f apiserver.crt ]; then
  openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj /CN=kube-apiserver 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,IP:%s,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' \
    "$NODE_IP" >apiserver.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 3650 \
    -extfile apiserver.ext 2>/dev/null
  echo "$NODE_IP" >apiserver.ip
fi

# token,user,uid,"groups"
if [ ! -f tokens.csv ]; then
  tok() { openssl rand -hex 24; }
  {
    echo "$(tok),admin,admin,\"system:masters\""
    echo "$(tok),system:kube-controller-manager,system:kube-controller-manager"
    echo "$(tok),system:kube-scheduler,system:kube-scheduler"
    echo "$(tok),system:node:$NODE_NAME,system:node:$NODE_NAME,\"system:nodes\""
    echo "$(tok),system:kube-proxy,system:kube-proxy"
  } >tokens.csv
fi

kubeconfig() { # FILE USER [SERVER_IP CA_FILE CLIENT_CERT CLIENT_KEY]
  local token user
  if [ -n "${5:-}" ]; then
    user="{client-certificate: \"$5\", client-key: \"$6\"}"
  else
    token=$(awk -F, -v u="$2" '$2 == u { print $1 }' tokens.csv)
    user="{token: \"$token\"}"
  fi
  cat >"$1.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: berth-local
  cluster: {server: "https://${3:-127.0.0.1}:$API_PORT", certificate-authority: "${4:-$PKI/ca.crt}"}
users:
- name: $2
  user: $user
contexts:
- name: berth-local
  context: {cluster: berth-local, user: $2}
current-context: berth-local
KC
  mv "$1.tmp" "$1"
}
kubeconfig "$STATE/kubeconfig" admin
kubeconfig "$STATE/kube-controller-manager.kubeconfig" system:kube-controller-manager
kubeconfig "$STATE/kube-scheduler.kubeconfig" system:kube-scheduler
kubeconfig "$STATE/kubelet.kubeconfig" "system:node:$NODE_NAME"
kubeconfig "$STATE/kube-proxy.kubeconfig" system:kube-proxy

# Extra nodes: files as the node sees them under /etc/berth-node; the CA's key never enters a node.
for name in "$@"; do
  conf=$NODES/$name/conf
  mkdir -p "$conf"
  if [ ! -f "$conf/kubelet.crt" ]; then
    openssl req -newkey rsa:2048 -nodes -keyout "$conf/kubelet.key" -out "$conf/kubelet.csr" \
      -subj "/O=system:nodes/CN=system:node:$name" 2>/dev/null
    openssl x509 -req -in "$conf/kubelet.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$conf/kubelet.crt" -days 3650 2>/dev/null
    rm -f "$conf/kubelet.csr"
  fi
  cp ca.crt "$conf/ca.crt"
  kubeconfig "$conf/kubelet.kubeconfig" "system:node:$name" "$NODE_IP" /etc/berth-node/ca.crt \
    /etc/berth-node/kubelet.crt /etc/berth-node/kubelet.key
  kubeconfig "$conf/kube-proxy.kubeconfig" system:kube-proxy "$NODE_IP" /etc/berth-node/ca.crt
done
