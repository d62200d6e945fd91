#!/usr/bin/env bash
# Runs the upstream Gateway API conformance suite (e2e/conformance) against
# the kind cluster's Switchyard, writing the report YAML. Extra arguments go
# to the suite (e.g. --run-test=HTTPRouteSimpleSameNamespace). The cluster is
# the current kubeconfig context ($KUBECONFIG or ~/.kube/config), which
# `make kind-up` sets to kind-$KIND_CLUSTER.
source "$(dirname "$0")/lib.sh"
need go "$KUBECTL" "$DOCKER"

# GatewayStaticAddresses: an address MetalLB's pool can assign (its last;
# MetalLB hands out from the first) and one outside every pool (TEST-NET-1).
# Arguments given later override these.
usable_address="$(kind_network_prefix).255.250"
report="${CONFORMANCE_REPORT:-$REPO_ROOT/e2e/conformance/conformance-report.yaml}"
log "conformance suite $(gateway_api_version) against GatewayClass switchyard; report: $report"
cd "$REPO_ROOT/e2e"
SWITCHYARD_VERSION="${SWITCHYARD_VERSION:-$(git -C "$REPO_ROOT" describe --tags --always --dirty 2>/dev/null || echo dev)}" \
  go test ./conformance -run 'TestConformance$' -count=1 -timeout 90m -v -args \
  -run-conformance \
  --report-output="$report" \
  --usable-address="$usable_address" \
  --unusable-address=192.0.2.1 \
  "$@"
