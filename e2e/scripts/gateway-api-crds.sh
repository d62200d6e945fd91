#!/usr/bin/env bash
# Installs the Gateway API CRDs of the module pinned in e2e/go.mod
# (experimental channel, the files rather than the kustomization) into the
# cluster of $KUBECONFIG and waits until every CRD is Established. Used by the
# local-cluster scripts (conformance-local.sh, chart-local.sh).
set -euo pipefail
e2e="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck disable=SC1091 # go-env.sh only exports GOTOOLCHAIN
. "$e2e/scripts/go-env.sh"
gwapi="$(cd "$e2e" && go list -m -f '{{.Dir}}' sigs.k8s.io/gateway-api)"
printf '[gateway-api-crds] %s, experimental channel\n' "$(basename "$gwapi")" >&2
crds=()
for f in "$gwapi"/config/crd/experimental/*.yaml; do
  [[ "$(basename "$f")" == kustomization.yaml ]] || crds+=(-f "$f")
done
kubectl apply --server-side "${crds[@]}" >/dev/null
kubectl wait --for=condition=Established --timeout=60s crd --all >/dev/null
