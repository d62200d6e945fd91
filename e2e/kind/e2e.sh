#!/usr/bin/env bash
# Traffic through a real Envoy: a Gateway and routes to two echo backends,
# then curl through the Gateway's LoadBalancer address and check which
# backend answered and what it received.
source "$(dirname "$0")/lib.sh"
need "$KUBECTL" curl openssl

ns=switchyard-e2e
log "applying e2e/kind/manifests/e2e.yaml"
kctl apply -f "$REPO_ROOT/e2e/kind/manifests/e2e.yaml"

# The HTTPS listener's certificate: self-signed, made once per cluster.
if ! kctl -n "$ns" get secret e2e-tls >/dev/null 2>&1; then
  tls="$(mktemp -d)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=e2e.example.com \
    -addext subjectAltName=DNS:e2e.example.com -keyout "$tls/tls.key" -out "$tls/tls.crt" 2>/dev/null
  kctl -n "$ns" create secret tls e2e-tls --cert "$tls/tls.crt" --key "$tls/tls.key"
  rm -rf "$tls"
fi
kctl -n "$ns" rollout status deployment/echo-v1 --timeout=180s
kctl -n "$ns" rollout status deployment/echo-v2 --timeout=180s
kctl -n "$ns" wait --for=condition=Programmed --timeout=300s gateway/e2e

address="$(kctl -n "$ns" get gateway/e2e -o jsonpath='{.status.addresses[0].value}')"
[[ -n "$address" ]] || die "Gateway switchyard-e2e/e2e has no address"
log "Gateway address: $address"

failures=0
# check NAME EXPECTED-STATUS EXPECTED-BODY-REGEX CURL-ARGS...
# The regex is matched against the body with all white space removed (the
# echo server indents its JSON); an empty regex checks the status only.
check() {
  local name="$1" want_status="$2" want_body="$3" body status
  shift 3
  body="$(mktemp)"
  # Envoy may still be receiving its configuration: retry for a while.
  if retry 60 probe "$body" "$want_status" "$@"; then
    if [[ -z "$want_body" ]] || tr -d '[:space:]' <"$body" | grep -Eq "$want_body"; then
      log "ok   $name"
      rm -f "$body"
      return 0
    fi
  fi
  status="$(curl -s -o /dev/null -w '%{http_code}' "$@" || true)"
  printf 'FAIL %s: status %s, body:\n' "$name" "$status" >&2
  cat "$body" >&2
  rm -f "$body"
  failures=$((failures + 1))
}

probe() {
  local out="$1" want="$2"
  shift 2
  [[ "$(curl -s -o "$out" -w '%{http_code}' --max-time 5 "$@")" == "$want" ]]
}

base="http://$address"
host=(-H 'Host: e2e.example.com')

check "path prefix /v1 reaches echo-v1" 200 '"pod":"echo-v1-' "${host[@]}" "$base/v1/hello"
check "header X-Canary: true reaches echo-v2" 200 '"pod":"echo-v2-' "${host[@]}" -H 'X-Canary: true' "$base/"
check "URLRewrite /legacy -> /api/v1" 200 '"path":"/api/v1/users"' "${host[@]}" "$base/legacy/users"
check "RequestHeaderModifier adds X-Switchyard-E2e" 200 '"X-Switchyard-E2e":\["yes"\]' "${host[@]}" "$base/v1/headers"
check "RequestRedirect /old -> 301" 301 '' "${host[@]}" "$base/old"
check "unknown host gets 404" 404 '' -H 'Host: other.example.com' "$base/v1/hello"
# HTTPS: SNI e2e.example.com selects the listener's certificate; -k because it is self-signed.
tls=(-k --resolve "e2e.example.com:443:$address")
check "HTTPS terminates and routes /v1 to echo-v1" 200 '"pod":"echo-v1-' "${tls[@]}" "https://e2e.example.com/v1/tls"
# TCP: the listener on 9000 proxies bytes to echo-v2 (HTTP inside, untouched by Envoy).
check "TCPRoute on port 9000 reaches echo-v2" 200 '"pod":"echo-v2-' "http://$address:9000/anything"

if ((failures > 0)); then
  die "$failures e2e check(s) failed"
fi
log "e2e passed"
