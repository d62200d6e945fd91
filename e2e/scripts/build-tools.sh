#!/usr/bin/env bash
# Builds the Go test tools into e2e/bin: kube-apiserver and etcd (a real API
# server for the controller tests) and xdscheck (the stand-in for "Envoy
# accepts this"), and downloads every module the Go tests and the conformance
# manifests need, so that no later go command downloads (or prints that it
# does) in the middle of a test. Go's caches make a rerun cheap; the first
# run on an empty module and build cache takes several minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
mkdir -p bin
# Modules of e2e/go.mod's packages and their tests (xdscheck, the conformance
# runner, the Gateway API CRDs and conformance manifests read by the tests).
go mod download
(cd tools/etcd && go build -o ../../bin/etcd go.etcd.io/etcd/server/v3)
(cd tools/kube-apiserver && go build -o ../../bin/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver)
go build -o bin/xdscheck ./xdscheck
# shellcheck for the kind scripts' test: Debian's package, where this runs as
# root with apt-get (elsewhere the test says it skipped and why).
if ! command -v shellcheck >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends shellcheck >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends shellcheck >/dev/null; } ||
    echo "build-tools: could not install shellcheck with apt-get; the kind scripts' shellcheck test will skip" >&2
fi
