//go:build tools

// Package tools keeps the pinned modules in go.mod: the Gateway API release
// (CRDs, conformance manifests and suite) and go-control-plane (xdscheck).
package tools

import (
	_ "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	_ "sigs.k8s.io/gateway-api/apis/v1"
	_ "sigs.k8s.io/gateway-api/conformance"
)
