#!/usr/bin/env bash
# Installs (or upgrades) Switchyard from this checkout's chart into the
# cluster of $KUBECONFIG / the current context, the way users do with
# `helm install`, and waits until the controller Deployment is available.
# The one place the e2e environments install Switchyard: `make deploy` (kind)
# calls it, and so does the local cluster of e2e/ (`localcluster run -- bash
# e2e/scripts/install-chart.sh`). The Gateway API CRDs must be installed first.
#
# Usage: install-chart.sh [HELM ARGS...]   e.g. --kube-context kind-switchyard --set image.tag=dev
# HELM: the helm binary (default e2e/bin/helm, built by npm run build:tools).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
helm="${HELM:-$repo/e2e/bin/helm}"
[[ -x "$helm" ]] || command -v "$helm" >/dev/null || { echo "error: $helm is missing: run npm run build:tools" >&2; exit 1; }

# Helm installs the chart's crds/ on the first install only and never
# upgrades them: over an older installation, apply charts/switchyard/crds first
# (kubectl apply --server-side), as e2e/kind/deploy.sh does.
"$helm" upgrade --install switchyard "$repo/charts/switchyard" \
  --namespace switchyard-system --create-namespace \
  --wait --timeout 5m "$@"
