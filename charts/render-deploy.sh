#!/usr/bin/env bash
# Renders deploy/ (the plain manifests for `kubectl apply`) from the Helm chart
# in charts/switchyard, so the two never drift: edit the chart, then run
#   npm run render:deploy
# A test renders into a temporary directory and fails when deploy/ differs.
#
# Usage: charts/render-deploy.sh [OUT_DIR]   (default: deploy/)
# HELM: the helm binary (default e2e/bin/helm, built by npm run build:tools).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$repo/deploy}"
helm="${HELM:-$repo/e2e/bin/helm}"
[[ -x "$helm" ]] || { echo "error: $helm is missing: run npm run build:tools" >&2; exit 1; }

rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
# The plain manifests: the namespace object included, the ServiceMonitor in
# optional/ (it needs the Prometheus Operator), no GatewayClass (the examples
# have one: examples/00-switchyard-gatewayclass.yaml).
"$helm" template switchyard "$repo/charts/switchyard" \
  --namespace switchyard-system --include-crds \
  --set namespace.create=true --set serviceMonitor.enabled=true --set gatewayClass.create=false \
  >"$rendered"

rm -rf "$out"
mkdir -p "$out"
# helm prints "---" and "# Source: switchyard/<templates|crds>/<file>" before
# every object; each object goes to the file of its template.
awk -v out="$out" '
  # Blank lines are held back until a non-blank line follows, so no file ends
  # with the blank line helm leaves after each object.
  /^---$/ { blanks = 0; next }
  /^# Source: switchyard\// {
    blanks = 0
    src = substr($0, length("# Source: switchyard/") + 1)
    if (src ~ /^crds\//) file = src
    else if (src == "templates/servicemonitor.yaml") file = "optional/servicemonitor.yaml"
    else { file = src; sub(/^templates\//, "", file) }
    path = out "/" file
    if (!(path in seen)) {
      seen[path] = 1
      dir = path; sub(/\/[^\/]*$/, "", dir); system("mkdir -p \"" dir "\"")
      print "# Rendered from charts/switchyard/" src " by charts/render-deploy.sh" > path
      print "# (default values): edit the chart, then run `npm run render:deploy`." > path
    } else {
      print "---" > path
    }
    next
  }
  /^[[:space:]]*$/ { blanks++; next }
  { for (; blanks > 0; blanks--) print "" > path; print > path }
' "$rendered"
