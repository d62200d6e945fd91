#!/usr/bin/env bash
# Creates the kind cluster (kind-config.yaml) and gives it LoadBalancer
# addresses with MetalLB, from a slice of the kind Docker network.
source "$(dirname "$0")/lib.sh"
need "$KIND" "$KUBECTL" "$DOCKER"

if "$KIND" get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
  log "kind cluster $KIND_CLUSTER exists"
else
  log "creating kind cluster $KIND_CLUSTER"
  "$KIND" create cluster --name "$KIND_CLUSTER" --config "$REPO_ROOT/kind-config.yaml" --wait 120s
fi

log "installing MetalLB $METALLB_VERSION"
kctl apply -f "https://raw.githubusercontent.com/metallb/metallb/$METALLB_VERSION/config/manifests/metallb-native.yaml"
kctl -n metallb-system rollout status deployment/controller --timeout=180s
kctl -n metallb-system rollout status daemonset/speaker --timeout=180s

# The upper part of the kind network's IPv4 subnet (a /16 by default): x.y.255.200-250.
prefix="$(kind_network_prefix)"
log "LoadBalancer addresses: $prefix.255.200-$prefix.255.250"

# The webhook answers only once the controller is ready; retry the pool.
pool() {
  kctl apply -f - <<YAML
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: kind
  namespace: metallb-system
spec:
  addresses:
  - $prefix.255.200-$prefix.255.250
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata:
  name: kind
  namespace: metallb-system
spec:
  ipAddressPools:
  - kind
YAML
}
retry 120 pool || die "MetalLB did not accept the address pool"
log "cluster $KIND_CLUSTER is up (kubectl context kind-$KIND_CLUSTER)"
