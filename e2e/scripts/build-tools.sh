#!/usr/bin/env bash
# Builds the Go test tools into e2e/bin: kube-apiserver and etcd (a real API
# server for the controller tests), xdscheck (the stand-in for "Envoy
# accepts this") and helm (the chart tests, charts/render-deploy.sh). Go's
# build cache makes a rebuild cheap after the first (the first kube-apiserver
# build takes several minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
mkdir -p bin
(cd tools/etcd && go build -o ../../bin/etcd go.etcd.io/etcd/server/v3)
(cd tools/kube-apiserver && go build -o ../../bin/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver)
(cd tools/helm && go build -o ../../bin/helm helm.sh/helm/v4/cmd/helm)
if [ -d xdscheck ]; then go build -o bin/xdscheck ./xdscheck; fi
go mod download sigs.k8s.io/gateway-api sigs.k8s.io/gateway-api/conformance
