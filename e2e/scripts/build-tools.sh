#!/usr/bin/env bash
# Builds the Go test tools into e2e/bin: kube-apiserver and etcd (a real API
# server for the controller tests), kube-controller-manager, kubectl,
# localcluster and echo-basic (the local cluster for the conformance suite),
# xdscheck (the stand-in for "Envoy accepts this") and helm (the chart tests,
# charts/render-deploy.sh), and downloads every module the Go tests and the
# conformance manifests need, so that no later go command downloads (or prints
# that it does) in the middle of a test. Go's caches make a rerun cheap; the
# first run on an empty module and build cache takes several minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091 # go-env.sh only exports GOTOOLCHAIN (checked with the kind scripts, -x)
. scripts/go-env.sh
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
mkdir -p bin
# Modules of e2e/go.mod's packages and their tests (xdscheck, the conformance
# runner, the Gateway API CRDs and conformance manifests read by the tests).
go mod download
(cd tools/etcd && go build -o ../../bin/etcd go.etcd.io/etcd/server/v3)
# kube-apiserver, kube-controller-manager and kubectl (the local cluster) from one
# wrapper module; the version ldflags give them a version kubectl can parse
# (without them they report "v0.0.0-master+$Format:%H$").
(
  cd tools/kube-apiserver
  v=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
  minor=${v#v1.}; minor=${minor%%.*}
  ld="-X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  go build -ldflags "$ld" -o ../../bin/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
  go build -ldflags "$ld" -o ../../bin/kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
  go build -ldflags "$ld" -o ../../bin/kubectl k8s.io/kubernetes/cmd/kubectl
)
(cd tools/helm && go build -o ../../bin/helm helm.sh/helm/v4/cmd/helm)
go build -o bin/xdscheck ./xdscheck
# The local cluster (e2e/localcluster) and the conformance backend it runs
# for the echo-basic image, built from the module the pinned conformance
# module requires.
go build -o bin/localcluster ./cmd/localcluster
go build -o bin/echo-basic sigs.k8s.io/gateway-api-conformance-images/echo-basic
# The kind scripts' test needs shellcheck: Debian's package, where this runs as
# root with apt-get (elsewhere the test says it skipped and why).
if ! command -v shellcheck >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends shellcheck >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends shellcheck >/dev/null; } ||
    echo "build-tools: could not install shellcheck with apt-get; the kind scripts' shellcheck test will skip" >&2
fi
