#!/usr/bin/env bash
# Shared settings and helpers of the kind scripts. Sourced, not run.
# Every setting can be overridden from the environment (the Makefile passes
# its variables through).

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export REPO_ROOT
# shellcheck source=../scripts/go-env.sh
. "$REPO_ROOT/e2e/scripts/go-env.sh"

KIND_CLUSTER="${KIND_CLUSTER:-switchyard}"
IMAGE="${IMAGE:-switchyard:dev}"
METALLB_VERSION="${METALLB_VERSION:-v0.14.9}"
KUBECTL="${KUBECTL:-kubectl}"
KIND="${KIND:-kind}"
DOCKER="${DOCKER:-docker}"
# helm from PATH, else the one npm run build:tools builds.
if [[ -z "${HELM:-}" ]]; then
  HELM="$(command -v helm || echo "$REPO_ROOT/e2e/bin/helm")"
fi
export KIND_CLUSTER IMAGE METALLB_VERSION KUBECTL KIND DOCKER HELM

log() {
  printf '==> %s\n' "$*" >&2
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# need TOOL...: fail early, naming the missing tool.
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required but not on PATH"
  done
}

# The Gateway API release pinned in e2e/go.mod: CRDs, conformance suite and
# its manifests all come from this one version.
gateway_api_version() {
  (cd "$REPO_ROOT/e2e" && go list -m -f '{{.Version}}' sigs.k8s.io/gateway-api)
}

# The first two octets of the kind Docker network's IPv4 subnet (a /16 by
# default); MetalLB's pool is x.y.255.200-250 of it (kind-up.sh).
kind_network_prefix() {
  local subnet
  subnet="$("$DOCKER" network inspect kind -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}' | tr ' ' '\n' | grep -m1 -E '^[0-9]+\.' || true)"
  [[ -n "$subnet" ]] || die "no IPv4 subnet on the Docker network \"kind\""
  cut -d. -f1-2 <<<"$subnet"
}

kctl() {
  "$KUBECTL" --context "kind-$KIND_CLUSTER" "$@"
}

# retry SECONDS CMD...: runs CMD every 2 s until it succeeds or SECONDS pass.
retry() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 2
  done
}
