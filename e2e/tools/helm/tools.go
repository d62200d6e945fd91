//go:build tools

// Package tools pins the helm command so `go mod tidy` keeps its
// dependencies; build-tools.sh builds it with `go build helm.sh/helm/v4/cmd/helm`.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
