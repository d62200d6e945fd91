#!/usr/bin/env bash
# `make conformance-local`: the upstream Gateway API conformance suite (the
# module pinned in e2e/go.mod, unmodified) against Switchyard deployed from
# deploy/ into a local cluster without containers (e2e/localcluster): pods
# are local processes in their own network namespaces, and Envoy pods run
# the Envoy stand-in ($LOCALCLUSTER_ENVOY_COMMAND, default
# e2e/envoy-standin), not Envoy. Writes e2e/conformance/conformance-report.yaml
# (CONFORMANCE_REPORT overrides). Extra arguments go to the suite
# (--run-test=HTTPRouteSimpleSameNamespace, --skip-tests=..., ...). Before
# the suite, e2e/scripts/chart-local.sh installs, upgrades and uninstalls the
# Helm chart on the same cluster (SKIP_CHART=1 skips it).
#
# Needs root (network namespaces), Node.js and Go. Everything it starts runs
# in a network namespace of its own and stops when it ends, also on Ctrl-C.
set -euo pipefail
e2e="$(cd "$(dirname "$0")/.." && pwd)"
# kubectl of the pinned Kubernetes release, built by npm run build:tools.
export PATH="$e2e/bin:$PATH"
repo="$(dirname "$e2e")"
# shellcheck disable=SC1091 # go-env.sh only exports GOTOOLCHAIN
. "$e2e/scripts/go-env.sh"
report="${CONFORMANCE_REPORT:-$e2e/conformance/conformance-report.yaml}"

if [[ "${1:-}" != "--in-cluster" ]]; then
  if [[ -z "${SKIP_BUILD:-}" ]]; then
    (cd "$repo" && npm run build --silent && npm run build:tools --silent && npm run build:standin --silent)
  fi
  if [[ -z "${LOCALCLUSTER_ENVOY_COMMAND:-}" && ! -f "$e2e/envoy-standin/dist/e2e/envoy-standin/src/main.js" ]]; then
    echo "conformance-local: the Envoy stand-in is not built (e2e/envoy-standin/dist); run npm run build:standin, or set LOCALCLUSTER_ENVOY_COMMAND" >&2
    exit 1
  fi
  exec "$e2e/bin/localcluster" run -- "$0" --in-cluster "$@"
fi
shift

# From here on: inside the cluster's network namespace, KUBECONFIG set.
log() { printf '[conformance-local] %s\n' "$*" >&2; }
bash "$e2e/scripts/gateway-api-crds.sh"

# The Helm chart's install, upgrade and uninstall, on the same cluster start.
[[ -n "${SKIP_CHART:-}" ]] || bash "$e2e/scripts/chart-local.sh" --in-cluster

log "Switchyard from deploy/"
kubectl apply --server-side -f "$repo/deploy/crds" >/dev/null
kubectl apply -f "$repo/deploy/namespace.yaml" >/dev/null
kubectl apply -f "$repo/deploy" >/dev/null
if ! kubectl -n switchyard-system rollout status deployment/switchyard --timeout=180s; then
  kubectl -n switchyard-system get pods -o wide >&2 || true
  kubectl -n switchyard-system logs deployment/switchyard --tail=50 >&2 || true
  exit 1
fi

log "GatewayClass switchyard"
kubectl apply -f "$repo/examples/00-switchyard-gatewayclass.yaml" >/dev/null
kubectl wait --for=condition=Accepted --timeout=60s gatewayclass/switchyard

# GatewayStaticAddresses: an address the LoadBalancer stand-in can assign
# (the bottom of its range, 10.244.255.1-254, which it hands out from the
# top) and one outside it (TEST-NET-1), which it refuses as MetalLB refuses an
# address outside its pools. Arguments given later override these.
log "conformance suite; report: $report"
cd "$e2e"
SWITCHYARD_VERSION="${SWITCHYARD_VERSION:-$(git -C "$repo" describe --tags --always --dirty 2>/dev/null || echo dev)}" \
  go test ./conformance -run 'TestConformance$' -count=1 -timeout "${CONFORMANCE_TIMEOUT:-50m}" -v -args \
  -run-conformance \
  --report-output="$report" \
  --cleanup-base-resources=false \
  --usable-address=10.244.255.1 \
  --unusable-address=192.0.2.1 \
  "$@"
