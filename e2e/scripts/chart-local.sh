#!/usr/bin/env bash
# The Helm chart's life on a real cluster (`make chart-local`): in the local
# cluster of e2e/localcluster (pods are local processes; Envoy pods run the
# Envoy stand-in, not Envoy), this checkout's chart is
#   1. installed with `helm install` (e2e/scripts/install-chart.sh, default
#      values); a Gateway of the chart's GatewayClass becomes Programmed and
#      a request through its Envoy fleet reaches the echo backend;
#   2. upgraded to non-default values (replicas 1, logLevel debug) while
#      requests keep flowing: none may fail, the leader Lease is held by a
#      current replica (handed over by the replica that stopped), the
#      Gateway stays Programmed (same lastTransitionTime), the fleet's pods
#      are not replaced, the stored ProxyConfig is untouched, the dropped
#      PodDisruptionBudget is gone and the new replica logs at debug;
#   3. uninstalled: the release's objects are gone; the switchyard.dev CRDs,
#      the stored ProxyConfig and the Lease stay.
# Its objects (e2e/scripts/chart-local.yaml, namespace switchyard-chart) are
# deleted at the end.
#
# Usage: chart-local.sh                starts a local cluster for the check
#                                      (builds first unless SKIP_BUILD is set)
#        chart-local.sh --in-cluster   the check alone, in the cluster of
#                                      $KUBECONFIG (conformance-local.sh runs
#                                      it this way before the suite)
# Needs root (network namespaces), Node.js and Go.
set -euo pipefail
e2e="$(cd "$(dirname "$0")/.." && pwd)"
# kubectl of the pinned Kubernetes release, built by npm run build:tools.
export PATH="$e2e/bin:$PATH"
repo="$(dirname "$e2e")"

if [[ "${1:-}" != "--in-cluster" ]]; then
  if [[ -z "${SKIP_BUILD:-}" ]]; then
    (cd "$repo" && npm run build --silent && npm run build:tools --silent && npm run build:standin --silent)
  fi
  exec "$e2e/bin/localcluster" run -- "$0" --in-cluster
fi

# From here on: inside the cluster's network namespace, KUBECONFIG set.
ns=switchyard-system
app=switchyard-chart
export HELM="${HELM:-$e2e/bin/helm}"
# A throw-away Helm home: nothing of the user's Helm configuration is read or written.
helm_home="$(mktemp -d)"
export HELM_CACHE_HOME="$helm_home/cache" HELM_CONFIG_HOME="$helm_home/config" HELM_DATA_HOME="$helm_home/data"
probe_dir="$(mktemp -d)"
trap 'rm -rf "$helm_home" "$probe_dir"' EXIT

log() { printf '[chart-local] %s\n' "$*" >&2; }
fail() {
  printf '[chart-local] FAIL: %s\n' "$*" >&2
  kubectl -n "$ns" get deploy,pods,lease -o wide >&2 || true
  kubectl -n "$app" get gateway,pods -o wide >&2 || true
  kubectl -n "$ns" logs deployment/switchyard --tail=30 >&2 || true
  exit 1
}
# retry SECONDS CMD...: until CMD succeeds, once a second.
retry() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}
get() { kubectl get "$@" 2>/dev/null; }
absent() { ! kubectl get "$@" >/dev/null 2>&1; }

if absent crd gateways.gateway.networking.k8s.io; then
  bash "$e2e/scripts/gateway-api-crds.sh"
fi

log "1. helm install (default values)"
bash "$e2e/scripts/install-chart.sh" >/dev/null
release_is() { [[ "$("$HELM" -n "$ns" list -o json)" == *'"name":"switchyard"'*"\"revision\":\"$1\""*'"status":"deployed"'* ]]; }
release_is 1 || fail "helm list does not show switchyard revision 1 deployed: $("$HELM" -n "$ns" list)"
kubectl wait --for=condition=Accepted --timeout=60s gatewayclass/switchyard >/dev/null || fail "GatewayClass switchyard is not Accepted"

kubectl apply -f "$e2e/scripts/chart-local.yaml" >/dev/null
kubectl -n "$app" rollout status deployment/echo --timeout=120s >/dev/null || fail "the echo backend did not start"
kubectl -n "$app" wait --for=condition=Programmed --timeout=180s gateway/web >/dev/null || fail "Gateway $app/web is not Programmed"
address="$(get -n "$app" gateway/web -o jsonpath='{.status.addresses[0].value}')"
[[ -n "$address" ]] || fail "Gateway $app/web has no address"

# One request through the fleet: 200 from the echo pod of this namespace.
request() {
  local body
  body="$(curl -s --max-time 10 -H 'Host: chart.example.com' "http://$address/chart" | tr -d '[:space:]')" || return 1
  [[ "$body" == *'"namespace":"switchyard-chart"'* && "$body" == *'"pod":"echo-'* ]]
}
retry 60 request || fail "no request through http://$address/ reached the echo backend"
log "Gateway $app/web Programmed at $address; a request reached the echo backend"

programmed_since() { get -n "$app" gateway/web -o jsonpath='{.status.conditions[?(@.type=="Programmed")].status} {.status.conditions[?(@.type=="Programmed")].lastTransitionTime}'; }
lease() { get -n "$ns" lease/switchyard-controller -o jsonpath="{.spec.$1}"; }
fleet_pods() { get -n "$app" pods -l app.kubernetes.io/name=envoy -o jsonpath='{range .items[*]}{.metadata.uid} {end}'; }
proxyconfig() { get -n "$app" proxyconfig/kept -o jsonpath='{.metadata.uid} {.spec.logLevel}'; }
retry 30 test -n "$(lease holderIdentity)" || fail "no replica holds the Lease switchyard-controller"
holder0="$(lease holderIdentity)" transitions0="$(lease leaseTransitions)"
programmed0="$(programmed_since)" fleet0="$(fleet_pods)" proxyconfig0="$(proxyconfig)"
[[ -n "$fleet0" ]] || fail "no Envoy fleet pods in $app"

log "2. helm upgrade --set replicas=1 --set logLevel=debug, with a request every half second"
: >"$probe_dir/results"
(
  while [[ ! -e "$probe_dir/stop" ]]; do
    if request; then echo ok; else echo "failed at $(date +%T)"; fi >>"$probe_dir/results"
    sleep 0.5
  done
) &
prober=$!
bash "$e2e/scripts/install-chart.sh" --set replicas=1 --set logLevel=debug >/dev/null
# Requests for a while after the rollout too: the stopping replicas drain xDS for 15 s.
sleep 5
touch "$probe_dir/stop"
wait "$prober"
sent="$(wc -l <"$probe_dir/results")"
failed="$(grep -c -v '^ok$' "$probe_dir/results" || true)"
log "requests during the upgrade: $sent sent, $failed failed"
((failed == 0)) || fail "requests failed during the upgrade: $(grep -v '^ok$' "$probe_dir/results" | tr '\n' ' ')"
((sent > 0)) || fail "no request was sent during the upgrade"

release_is 2 || fail "helm list does not show switchyard revision 2 deployed: $("$HELM" -n "$ns" list)"
[[ "$(get -n "$ns" deployment/switchyard -o jsonpath='{.status.readyReplicas}/{.spec.replicas} {.spec.template.spec.containers[0].args}')" == 1/1*'--log-level=debug'* ]] ||
  fail "the Deployment does not run 1 ready replica with --log-level=debug"
absent -n "$ns" pdb/switchyard || fail "the PodDisruptionBudget (rendered only with replicas > 1) is still there"
# The one replica now running holds the Lease; if the holder changed, the
# stopping leader released it (a transition), rather than two holding it.
holder_is_current() {
  local holder
  holder="$(lease holderIdentity)"
  [[ -n "$holder" ]] && get -n "$ns" pod "$holder" -o jsonpath='{.metadata.deletionTimestamp}{.status.phase}' | grep -qx Running
}
retry 30 holder_is_current || fail "the Lease is held by '$(lease holderIdentity)', not by a running replica"
holder1="$(lease holderIdentity)" transitions1="$(lease leaseTransitions)"
if [[ "$holder1" != "$holder0" ]] && ((transitions1 <= transitions0)); then
  fail "the Lease moved from $holder0 to $holder1 without a transition ($transitions0 -> $transitions1)"
fi
log "Lease switchyard-controller: $holder0 -> $holder1 (transitions $transitions0 -> $transitions1)"
[[ "$(programmed_since)" == "$programmed0" ]] ||
  fail "Gateway Programmed changed during the upgrade: '$programmed0' -> '$(programmed_since)'"
[[ "$(fleet_pods)" == "$fleet0" ]] || fail "the Envoy fleet's pods were replaced during the upgrade"
[[ "$(proxyconfig)" == "$proxyconfig0" ]] || fail "the stored ProxyConfig changed: '$proxyconfig0' -> '$(proxyconfig)'"
debug_logged() { kubectl -n "$ns" logs "pod/$holder1" 2>/dev/null | grep -q '"level":20'; }
retry 30 debug_logged || fail "the upgraded replica logs nothing at debug level"
log "upgraded: Gateway still Programmed since ${programmed0#* }, fleet pods kept, ProxyConfig intact, debug logs"

log "3. helm uninstall"
"$HELM" -n "$ns" uninstall switchyard --wait --timeout 3m >/dev/null || fail "helm uninstall failed"
absent -n "$ns" deployment/switchyard || fail "the Deployment is still there after helm uninstall"
absent -n "$ns" service/switchyard-xds || fail "the Service switchyard-xds is still there after helm uninstall"
absent gatewayclass/switchyard || fail "the chart's GatewayClass is still there after helm uninstall"
for crd in proxyconfigs.switchyard.dev ratelimits.switchyard.dev; do
  [[ "$(get crd "$crd" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}')" == True ]] ||
    fail "CRD $crd is gone after helm uninstall (Helm keeps crds/)"
done
[[ "$(proxyconfig)" == "$proxyconfig0" ]] || fail "the stored ProxyConfig did not survive helm uninstall"
[[ -n "$(get -n "$ns" lease/switchyard-controller -o name)" ]] || fail "the Lease switchyard-controller is gone after helm uninstall"
log "uninstalled: release objects gone; CRDs, the ProxyConfig and the Lease kept"

kubectl delete -f "$e2e/scripts/chart-local.yaml" --wait=false >/dev/null
log "passed"
