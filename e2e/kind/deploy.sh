#!/usr/bin/env bash
# Installs into the kind cluster: the Gateway API CRDs of the pinned release
# (experimental channel, which includes TCPRoute, UDPRoute and TLSRoute),
# Switchyard built from this checkout with its Helm chart (charts/switchyard,
# through e2e/scripts/install-chart.sh), which also creates the GatewayClass.
source "$(dirname "$0")/lib.sh"
need "$KIND" "$KUBECTL" "$DOCKER" "$HELM" go

version="$(gateway_api_version)"
log "Gateway API $version CRDs (experimental install)"
kctl apply --server-side --force-conflicts -f "https://github.com/kubernetes-sigs/gateway-api/releases/download/$version/experimental-install.yaml"
kctl wait --for=condition=Established --timeout=60s crd/gateways.gateway.networking.k8s.io crd/httproutes.gateway.networking.k8s.io

log "building image $IMAGE"
"$DOCKER" build -t "$IMAGE" "$REPO_ROOT"
"$KIND" load docker-image "$IMAGE" --name "$KIND_CLUSTER"

log "Switchyard (helm upgrade --install charts/switchyard, image $IMAGE)"
# Helm does not upgrade a chart's CRDs on `helm upgrade`: apply them first.
kctl apply --server-side --force-conflicts -f "$REPO_ROOT/charts/switchyard/crds"
bash "$REPO_ROOT/e2e/scripts/install-chart.sh" --kube-context "kind-$KIND_CLUSTER" \
  --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" --set image.pullPolicy=Never

log "GatewayClass switchyard"
kctl wait --for=condition=Accepted --timeout=60s gatewayclass/switchyard
log "deployed"
