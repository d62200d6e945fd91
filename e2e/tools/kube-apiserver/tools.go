//go:build tools

// Package tools pins the Kubernetes commands the test harnesses build from
// k8s.io/kubernetes, so `go mod tidy` keeps their dependencies:
// kube-apiserver (the controller's integration tests and the local cluster)
// and kube-controller-manager (the local cluster: Deployments -> ReplicaSets
// -> Pods, EndpointSlices, default ServiceAccounts, kube-root-ca.crt), and
// kubectl (the local cluster's scripts: conformance-local.sh, chart-local.sh).
// build-tools.sh builds them with the version ldflags (see there).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
