#!/usr/bin/env bash
# Builds the Go test tools into e2e/bin: kube-apiserver and etcd (a real API
# server for the controller tests), kube-controller-manager, localcluster and
# echo-basic (the local cluster for the conformance suite) and xdscheck (the
# stand-in for "Envoy accepts this"). Go's build cache makes a rebuild cheap after the first
# (the first kube-apiserver build takes several minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
mkdir -p bin
(cd tools/etcd && go build -o ../../bin/etcd go.etcd.io/etcd/server/v3)
# kube-apiserver and kube-controller-manager (the local cluster) from one
# wrapper module; the version ldflags give them a version kubectl can parse
# (without them they report "v0.0.0-master+$Format:%H$").
(
  cd tools/kube-apiserver
  v=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
  minor=${v#v1.}; minor=${minor%%.*}
  ld="-X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  go build -ldflags "$ld" -o ../../bin/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
  go build -ldflags "$ld" -o ../../bin/kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
)
# The local cluster (e2e/localcluster) and the conformance backend it runs
# for the echo-basic image, built from the pinned conformance module.
go build -o bin/localcluster ./cmd/localcluster
go build -o bin/echo-basic sigs.k8s.io/gateway-api/conformance/echo-basic
if [ -d xdscheck ]; then go build -o bin/xdscheck ./xdscheck; fi
go mod download sigs.k8s.io/gateway-api sigs.k8s.io/gateway-api/conformance
