#!/usr/bin/env bash
# Installs into the kind cluster: the Gateway API CRDs of the pinned release
# (experimental channel, which includes TCPRoute, UDPRoute and TLSRoute),
# Switchyard built from this checkout (deploy/), and its GatewayClass.
source "$(dirname "$0")/lib.sh"
need "$KIND" "$KUBECTL" "$DOCKER" go

version="$(gateway_api_version)"
log "Gateway API $version CRDs (experimental install)"
kctl apply --server-side --force-conflicts -f "https://github.com/kubernetes-sigs/gateway-api/releases/download/$version/experimental-install.yaml"
kctl wait --for=condition=Established --timeout=60s crd/gateways.gateway.networking.k8s.io crd/httproutes.gateway.networking.k8s.io

log "building image $IMAGE"
"$DOCKER" build -t "$IMAGE" "$REPO_ROOT"
"$KIND" load docker-image "$IMAGE" --name "$KIND_CLUSTER"

log "Switchyard (deploy/)"
# Switchyard's own CRDs first (switchyard.dev), when the checkout has them.
if [[ -d "$REPO_ROOT/deploy/crds" ]]; then
  kctl apply --server-side -f "$REPO_ROOT/deploy/crds"
fi
kctl apply -f "$REPO_ROOT/deploy/namespace.yaml"
kctl apply -f "$REPO_ROOT/deploy"
kctl -n switchyard-system set image deployment/switchyard "switchyard=$IMAGE"
kctl -n switchyard-system rollout status deployment/switchyard --timeout=180s

log "GatewayClass switchyard"
kctl apply -f "$REPO_ROOT/examples/00-switchyard-gatewayclass.yaml"
kctl wait --for=condition=Accepted --timeout=60s gatewayclass/switchyard
log "deployed"
